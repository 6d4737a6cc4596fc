import Type, { type Static } from "typebox";

// Each leaf carries `x-reason`, the phrase a validation error shows for it, as the node
// config does ("hospitals.2.dataService: must be an http(s) URL").

const ADDRESS = "^0x[0-9a-fA-F]{40}$";
const HTTP_URL = "^https?://[^\\s/]+(/\\S*)?$";
/** A hospital organisation id (uint32 on chain, 0 unused) as an object key. */
export const HOSPITAL_ID_KEY = /^[1-9][0-9]{0,9}$/;

const address = (description: string) =>
  Type.String({ pattern: ADDRESS, description, "x-reason": "must be a 0x-prefixed address" });
const url = (description: string) =>
  Type.String({ pattern: HTTP_URL, description, "x-reason": "must be an http(s) URL" });
const path = (description: string) =>
  Type.String({ minLength: 1, description, "x-reason": "must be a non-empty path" });

/**
 * The configuration of a researcher (or review board) using `custos query`: the chain, the
 * account key, the contracts and the hospitals' data services. Unknown fields are rejected
 * at every level, so a misspelt field fails loudly.
 */
export const researcherConfigSchema = Type.Object(
  {
    rpcUrl: url("JSON-RPC endpoint of a Custos node (or any node of the chain)."),
    keyFile: path(
      "File holding the account's private key as hex; relative to the config file. Never the key itself.",
    ),
    contracts: Type.Object(
      {
        accessLedger: address("AccessLedger's address."),
        consortium: Type.Optional(
          address("Consortium's address (accepted for tools sharing the file; not read here)."),
        ),
      },
      {
        additionalProperties: false,
        description: "The deployed contracts.",
        "x-reason": "must be an object",
      },
    ),
    hospitals: Type.Record(
      Type.String({ pattern: HOSPITAL_ID_KEY.source }),
      Type.Object(
        {
          name: Type.String({
            minLength: 1,
            description: "The hospital's name, for people.",
            "x-reason": "must be a non-empty string",
          }),
          dataService: url("Base URL of the hospital's data service."),
        },
        { additionalProperties: false },
      ),
      {
        // Keys outside the pattern are refused before validation (HOSPITAL_ID_KEY): TypeBox's
        // Default cannot walk a record with additionalProperties false.
        default: {},
        "x-reason": "must be an object of hospitals by organisation id",
        description: "Target hospitals by organisation id: name and data service URL.",
      },
    ),
    queriesDir: Type.String({
      minLength: 1,
      default: "queries",
      description:
        "Directory where submitted specs are kept by query id, for show; relative to the config file.",
      "x-reason": "must be a non-empty path",
    }),
    requestTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 600,
      default: 10,
      description: "Seconds one request to a data service or the chain may take.",
      "x-reason": "must be an integer 1..600",
    }),
  },
  { additionalProperties: false },
);

/** A validated researcher configuration, paths absolute. */
export type ResearcherConfig = Static<typeof researcherConfigSchema>;
