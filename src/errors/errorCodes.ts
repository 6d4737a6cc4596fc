/**
 * Metadata of one registered error code.
 *
 * `httpStatus` is what the node's HTTP boundary answers with; `rpcCode` is the EIP-1474
 * JSON-RPC code used at the JSON-RPC boundary.
 */
export interface ErrorCodeInfo {
  /** One sentence: what went wrong, for docs/errors.md. */
  readonly description: string;
  /** HTTP status at REST boundaries. */
  readonly httpStatus: number;
  /** EIP-1474 JSON-RPC error code at the JSON-RPC boundary. */
  readonly rpcCode: number;
}

/**
 * The single registry of Custos error codes. Codes are stable strings: clients match on
 * them, so a code is never renamed or reused. docs/errors.md is generated from this table
 * (`npm run docs:errors`) and a test keeps the two identical.
 */
export const errorCodes = {
  INTERNAL: {
    description: "An unexpected failure inside Custos; the cause carries the original error.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  INVALID_ARGUMENT: {
    description: "An argument passed to an SDK function is malformed or out of range.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONFIG_INVALID: {
    description: "A configuration document failed schema validation; details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CLI_USAGE: {
    description: "The command line could not be parsed: unknown command, flag or missing value.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  // Anonymisation engine (src/anonymise).
  ANONYMISE_CSV_INVALID: {
    description:
      "A CSV document could not be parsed into a table; details name the row and column.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_CONFIG_INVALID: {
    description:
      "An anonymisation configuration is invalid; details name the attribute, model or field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_HIERARCHY_INVALID: {
    description:
      "A generalisation hierarchy is malformed or lacks a data value; details name the value and row.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_NO_SOLUTION: {
    description:
      "No generalisation in the lattice satisfies the privacy models within the suppression limit.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  // ---- pseudonyms and consent model (src/pseudonym, src/consent FHIR mapping) ----
  PSEUDONYM_KEY_INVALID: {
    description:
      "Pseudonym key material or its derivation parameters are unusable (master key under 32 bytes, bad hex, bad version or project id).",
    httpStatus: 400,
    rpcCode: -32602,
  },
  PSEUDONYM_IDENTIFIER_INVALID: {
    description:
      "An identifier to pseudonymise is empty or invalid for its kind; details name the problem and batch index, never the identifier.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_RECORD_INVALID: {
    description:
      "A consent record or consent word is malformed or inconsistent; details name the field and the problem.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_FHIR_INVALID: {
    description:
      "A FHIR R4 Consent document is malformed (wrong type, missing or ill-typed element); details name the element path.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_FHIR_UNSUPPORTED: {
    description:
      "A FHIR R4 Consent uses an element or value Custos cannot represent exactly; details name the element path and the reason.",
    httpStatus: 422,
    rpcCode: -32602,
  },
  // Disclosure control (src/disclosure): release rules for aggregate statistics.
  DISCLOSURE_INVALID_TABLE: {
    description:
      "A count table is malformed: bad dimension, category, shape or cell count; details name it.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  DISCLOSURE_POLICY_INVALID: {
    description:
      "A disclosure policy or privacy parameter is out of range or inconsistent; details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  DISCLOSURE_INVALID_COHORT: {
    description:
      "A cohort is not a strictly increasing list of uint32 subject ids; details name the position.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  DISCLOSURE_DIFFERENCING: {
    description:
      "A release was refused because its cohort differs from an earlier release by fewer subjects than the minimum cell size.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  DISCLOSURE_BUDGET_EXCEEDED: {
    description:
      "A release was refused because it would exceed the requester's privacy budget (epsilon) at the hospital.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  DISCLOSURE_AUDIT_FAILED: {
    description:
      "The suppression audit found a suppressed cell whose feasible range is narrower than the protection interval.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // Node state path (nodes/db, nodes/execution, nodes/chain): storage, EVM execution, genesis.
  CHAIN_DB_CORRUPT: {
    description:
      "The chain database holds a record that is missing or cannot be decoded; details name the keyspace and key.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  CHAIN_DB_COMMIT_FAILED: {
    description:
      "A block could not be committed atomically; the stored head is unchanged and the cause carries the storage error.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  LOG_QUERY_TOO_LARGE: {
    description:
      "A log query spans more blocks or matches more logs than the configured caps; details name the cap and the limit.",
    httpStatus: 413,
    rpcCode: -32005,
  },
  STATE_NOT_AVAILABLE: {
    description:
      "The state of the requested block is not in the database (unknown state root or missing trie node).",
    httpStatus: 404,
    rpcCode: -32000,
  },
  BLOCK_INVALID: {
    description:
      "A received block fails re-execution or structural checks; details name the field (stateRoot, receiptsRoot, logsBloom, gasUsed, transactionsRoot, parent, transaction) with expected and actual values.",
    httpStatus: 422,
    rpcCode: -32000,
  },
  EXECUTION_REVERTED: {
    description:
      "A call or gas estimate reverted or ran out of gas at every gas limit; details carry the revert data (message starts with 'execution reverted', as ethers and viem expect).",
    httpStatus: 422,
    rpcCode: -32000,
  },
  GENESIS_INVALID: {
    description:
      "A genesis document failed validation or its contracts could not be deployed; details name the field.",
    httpStatus: 400,
    rpcCode: -32602,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A registered error code. */
export type ErrorCode = keyof typeof errorCodes;

/**
 * Tells whether a string is a registered error code.
 *
 * @example
 * ```ts
 * isErrorCode("CONFIG_INVALID"); // true
 * ```
 */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}
