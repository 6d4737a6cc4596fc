import { readFile } from "node:fs/promises";
import { bytesToHex } from "@ethereumjs/util";
import { Value } from "typebox/value";
import { CustosError } from "../../src/errors/index.ts";
import { genesisContractAddresses } from "./genesisContractAddresses.ts";
import { genesisExtraData } from "./genesisExtraData.ts";
import { type Genesis, GenesisSchema } from "./genesisSchema.ts";

function invalid(field: string, reason: string, cause?: unknown): CustosError {
  return new CustosError("GENESIS_INVALID", `genesis ${field}: ${reason}`, {
    details: { field, reason },
    cause,
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** JSON-pointer "/organisations/0/accounts" → "organisations[0].accounts". */
function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").filter((p) => p !== "");
  if (extra !== undefined) parts.push(extra);
  return (
    parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(root)"
  );
}

/** Consortium.MAX_HOSPITALS: the most hospitals (validators) a consortium holds. */
const MAX_HOSPITALS = 64;

/**
 * Validates a genesis document (schema, then consistency) and returns a frozen copy.
 * Consistency: `validators` equals the hospitals' validators in order, `extraData` (when
 * given) is their QBFT extraData ({@link genesisExtraData}), only hospitals name a
 * validator or recorders, every address is bound once (an admin account or a recorder of one
 * organisation: recorders are never admin accounts), 1 to 64 hospitals, `requiredApprovals`
 * at most the review boards, and the contract addresses are the CREATE addresses of
 * `contracts.deployer`.
 *
 * @throws CustosError `GENESIS_INVALID` naming the first offending field.
 * @example
 * ```ts
 * const genesis = parseGenesis(JSON.parse(text));
 * ```
 */
export function parseGenesis(document: unknown): Genesis {
  if (!Value.Check(GenesisSchema, document)) {
    const errors = [...Value.Errors(GenesisSchema, document)];
    const first = errors.find((e) => e.keyword !== "boolean" && e.keyword !== "anyOf") ?? errors[0];
    if (first === undefined) throw invalid("(root)", "does not match the genesis schema");
    const extra =
      first.keyword === "additionalProperties"
        ? (first.params as { additionalProperties?: string[] }).additionalProperties?.[0]
        : first.keyword === "required"
          ? (first.params as { requiredProperties?: string[] }).requiredProperties?.[0]
          : undefined;
    throw invalid(fieldOf(first.instancePath, extra), first.message);
  }
  const genesis = structuredClone(document);
  const hospitalValidators: string[] = [];
  /** Where each bound address first appears: one organisation, one capacity. */
  const bound = new Map<string, string>();
  const bind = (address: string, field: string) => {
    const key = address.toLowerCase();
    const first = bound.get(key);
    if (first !== undefined) {
      throw invalid(
        field,
        `is already bound at ${first}: an address is bound once, to one organisation as an admin account or a recorder`,
      );
    }
    bound.set(key, field);
  };
  let reviewBoards = 0;
  genesis.organisations.forEach((org, i) => {
    if (org.role === "hospital") {
      if (org.validator === undefined) {
        throw invalid(`organisations[${i}].validator`, "a hospital needs a validator");
      }
      hospitalValidators.push(org.validator.toLowerCase());
    } else if (org.validator !== undefined) {
      throw invalid(`organisations[${i}].validator`, "only hospitals have a validator");
    }
    if (org.role === "reviewBoard") reviewBoards += 1;
    org.accounts.forEach((a, j) => {
      bind(a, `organisations[${i}].accounts[${j}]`);
    });
    org.recorders.forEach((r, j) => {
      if (org.role !== "hospital") {
        throw invalid(`organisations[${i}].recorders[${j}]`, "only hospitals have recorders");
      }
      bind(r, `organisations[${i}].recorders[${j}]`);
    });
  });
  if (hospitalValidators.length === 0)
    throw invalid("organisations", "at least one hospital is needed");
  if (hospitalValidators.length > MAX_HOSPITALS) {
    throw invalid("organisations", `at most ${MAX_HOSPITALS} hospitals (Consortium.MAX_HOSPITALS)`);
  }
  const listed = genesis.validators.map((v) => v.toLowerCase());
  if (
    listed.length !== hospitalValidators.length ||
    listed.some((v, i) => v !== hospitalValidators[i])
  ) {
    throw invalid("validators", "must list the hospitals' validators in organisation order");
  }
  const extraData = bytesToHex(genesisExtraData(genesis));
  if (genesis.extraData !== undefined && genesis.extraData.toLowerCase() !== extraData) {
    throw new CustosError(
      "GENESIS_INVALID",
      `genesis extraData: ${genesis.extraData} is not the QBFT extraData of validators [${listed.join(", ")}] (${extraData})`,
      {
        details: {
          field: "extraData",
          reason: "does not hold the genesis validators",
          expected: extraData,
          actual: genesis.extraData,
          validators: listed,
        },
      },
    );
  }
  if (genesis.governance.requiredApprovals > reviewBoards) {
    throw invalid(
      "governance.requiredApprovals",
      `must be at most the review boards at genesis (${reviewBoards})`,
    );
  }
  const expected = genesisContractAddresses(genesis.contracts.deployer);
  for (const name of ["consortium", "consentRegistry", "accessLedger"] as const) {
    if (genesis.contracts[name].toLowerCase() !== expected[name]) {
      throw invalid(
        `contracts.${name}`,
        `must be ${expected[name]}, the CREATE address from the deployer`,
      );
    }
  }
  if (genesis.governance.votingPeriod < genesis.governance.executionDelay) {
    throw invalid("governance.votingPeriod", "must be at least executionDelay");
  }
  return deepFreeze(genesis);
}

/**
 * Reads and validates a genesis JSON file.
 *
 * @throws CustosError `GENESIS_INVALID` when the file is unreadable, not JSON or invalid.
 * @example
 * ```ts
 * const genesis = await loadGenesisFile("genesis.json");
 * ```
 */
export async function loadGenesisFile(path: string): Promise<Genesis> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw invalid("(file)", `cannot read ${path}`, cause);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw invalid("(file)", "is not JSON", cause);
  }
  return parseGenesis(document);
}
