import Type, { type Static } from "typebox";
import { purposeCodes } from "../../src/consent/index.ts";

// Leaves carry `x-reason`, the one phrase a validation error shows ("http.port: must be an
// integer 1..65535"), as the node's config schema does.

function integer(minimum: number, maximum: number, value: number, description: string) {
  return Type.Integer({
    minimum,
    maximum,
    default: value,
    description,
    "x-reason": `must be an integer ${minimum}..${maximum}`,
  });
}

function path(description: string) {
  return Type.String({ minLength: 1, description, "x-reason": "must be a non-empty path" });
}

const ADDRESS = "^0x[0-9a-fA-F]{40}$";

function address(description: string) {
  return Type.String({ pattern: ADDRESS, description, "x-reason": "must be a 0x address" });
}

/** The measure types a site may allow. */
export const measureTypeNames = [
  "count",
  "histogram",
  "incidenceRate",
  "summary",
  "quantiles",
  "twoByTwo",
] as const;

const permissionLabels = Object.entries(purposeCodes)
  .filter(([, code]) => code.kind === "permission")
  .map(([label]) => label);

/** The site policy: deny by default, so every list starts empty unless the file fills it. */
const policySchema = Type.Object(
  {
    purposes: Type.Array(
      Type.String({
        enum: permissionLabels,
        "x-reason": `must be a DUO permission: ${permissionLabels.join(", ")}`,
      }),
      {
        default: [],
        description: "DUO purposes the site accepts queries for (a query's permission bit).",
      },
    ),
    measures: Type.Array(
      Type.String({
        enum: [...measureTypeNames],
        "x-reason": `must be one of ${measureTypeNames.join(", ")}`,
      }),
      { default: [], description: "Measure types the site releases." },
    ),
    minCellSize: integer(5, 1000, 11, "Counts 1 … minCellSize − 1 are suppressed."),
    roundingBase: integer(1, 100, 1, "Released counts are rounded to a multiple of this."),
    minStatisticN: integer(5, 100_000, 11, "Persons a mean or variance needs."),
    dominanceShare: Type.Number({
      minimum: 0.5,
      maximum: 1,
      default: 0.8,
      description: "(2, k) dominance: the two largest values may make up at most this share.",
      "x-reason": "must be a number 0.5..1",
    }),
    epsilonMicro: integer(
      0,
      100_000_000,
      0,
      "DP noise per released table (discrete Laplace), micro-ε; 0 for none.",
    ),
    manualRelease: Type.Boolean({
      default: false,
      description: "Staff release each result by hand (custos data-service release).",
      "x-reason": "must be true or false",
    }),
  },
  { additionalProperties: false, default: {}, description: "The site policy." },
);

/** The data service's configuration document. */
export const dataServiceConfigSchema = Type.Object(
  {
    hospitalId: Type.Integer({
      minimum: 1,
      maximum: 4_294_967_295,
      description: "The hospital's organisation id in the Consortium.",
      "x-reason": "must be an organisation id",
    }),
    rpcUrl: Type.String({
      pattern: "^https?://",
      description: "JSON-RPC URL of the hospital's node.",
      "x-reason": "must be an http(s) URL",
    }),
    recorderKeyFile: path(
      "File holding the hospital recorder's private key (hex): it records results and signs them.",
    ),
    contracts: Type.Object(
      {
        accessLedger: address("AccessLedger address."),
        consentRegistry: address("ConsentRegistry address."),
      },
      { additionalProperties: false },
    ),
    omop: Type.Unknown({
      description: "The OMOP database (docs/omop-store.md), validated by resolveOmopStoreConfig.",
    }),
    pseudonymKeyFile: path(
      "The hospital's pseudonym key (pseudonym-key.json): maps OMOP persons to consent subjects.",
    ),
    dataDir: path("Directory of the service's state: jobs, cohorts for differencing, indexes."),
    http: Type.Object(
      {
        host: Type.String({ default: "127.0.0.1", minLength: 1, "x-reason": "must be a host" }),
        port: integer(0, 65535, 0, "HTTP port (0: any free port)."),
      },
      { additionalProperties: false, default: {} },
    ),
    policy: policySchema,
    jobs: Type.Object(
      {
        timeoutSeconds: integer(1, 86_400, 600, "Wall-clock limit of one query run."),
        retries: integer(0, 10, 2, "Runs after a crash or failure before the query is declined."),
        pollIntervalMs: integer(50, 60_000, 1_000, "How often the chain is read."),
      },
      { additionalProperties: false, default: {} },
    ),
    siteTrail: Type.Object(
      {
        anchorIntervalSeconds: integer(
          1,
          86_400,
          300,
          "Seconds between anchors of the site trail's head on chain (only when it moved).",
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          "The site trail: denied and failed requests, policy changes and manual releases, anchored on chain.",
      },
    ),
    logLevel: Type.String({
      enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      default: "info",
      "x-reason": "must be a log level",
    }),
  },
  { additionalProperties: false },
);

/** A validated data service configuration. */
export type DataServiceConfig = Static<typeof dataServiceConfigSchema>;
