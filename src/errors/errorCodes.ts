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
  // ---- ledger clients: contract errors and chain access (src/ledger) ----
  CONSENT_UNAUTHORISED: {
    description:
      "The account may not make this consent change: not a recorder of the custodian hospital, nor the patient key or a delegate.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  CONSENT_ALREADY_ACTIVE: {
    description: "A grant was made while the subject's consent is active; update it instead.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  CONSENT_NOT_ACTIVE: {
    description: "An update or revocation was made while the subject's consent is not active.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  CONSENT_REVOKED_IN_BATCH: {
    description:
      "A batch grant named a subject whose consent is revoked; only a single grant may re-grant it.",
    httpStatus: 409,
    rpcCode: -32003,
  },
  SIGNATURE_INVALID: {
    description:
      "An EIP-712 signature was rejected: malformed, past its deadline, or not signed with the signer's next nonce.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  MEMBERSHIP_DENIED: {
    description:
      "The account lacks the consortium membership or role the call needs (researcher, review board, recorder, hospital, governance).",
    httpStatus: 403,
    rpcCode: -32003,
  },
  LEDGER_BUDGET_EXCEEDED: {
    description:
      "Recording the result would spend more privacy budget (ε) than the hospital's limit leaves for the researcher organisation.",
    httpStatus: 422,
    rpcCode: -32005,
  },
  LEDGER_QUERY_EXPIRED: {
    description: "The query has expired: it accepts no further approval or response.",
    httpStatus: 410,
    rpcCode: -32003,
  },
  LEDGER_NOT_FOUND: {
    description: "The contract knows no such query, organisation, proposal, checkpoint or subject.",
    httpStatus: 404,
    rpcCode: -32001,
  },
  LEDGER_CONFLICT: {
    description:
      "The contract's current state does not allow the change (already approved, voted or answered, wrong status, last member, nothing to change).",
    httpStatus: 409,
    rpcCode: -32003,
  },
  LEDGER_INVALID_INPUT: {
    description:
      "The contract rejected an argument (zero hash or address, undefined bits, bad validity, bad targets, expiry in the past).",
    httpStatus: 400,
    rpcCode: -32000,
  },
  LEDGER_CONTRACT_REVERTED: {
    description:
      "A contract call reverted for a reason without a specific code; details carry the contract, error name and arguments or the raw revert data.",
    httpStatus: 422,
    rpcCode: -32003,
  },
  LEDGER_TRANSACTION_REJECTED: {
    description:
      "The node or wallet refused the transaction itself (insufficient funds, stale nonce, underpriced replacement, user rejection).",
    httpStatus: 409,
    rpcCode: -32003,
  },
  LEDGER_BAD_RESPONSE: {
    description:
      "The node's answer does not decode against the contract ABI: no contract or another contract at the address.",
    httpStatus: 502,
    rpcCode: -32603,
  },
  LEDGER_UNAVAILABLE: {
    description:
      "The chain could not be reached or answered with a transport or server failure; the cause keeps the original error.",
    httpStatus: 503,
    rpcCode: -32002,
  },
  LEDGER_ABORTED: {
    description:
      "The caller's AbortSignal stopped the operation; details say whether a transaction had already been sent.",
    httpStatus: 408,
    rpcCode: -32000,
  },
  // ---- anonymisation profiles and the anonymise command (src/anonymise, custos anonymise) ----
  ANONYMISE_VALUE_INVALID: {
    description:
      "A data value cannot be recoded by a profile rule (malformed ZIP code, age or date); details name the column and data row.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  ANONYMISE_IO_FAILED: {
    description:
      "The anonymise command could not read an input file or write an output file; details name the file's role and path.",
    httpStatus: 500,
    rpcCode: -32603,
  },
  // ---- k-map privacy model (src/anonymise) ----
  ANONYMISE_POPULATION_INVALID: {
    description:
      "A k-map population table is not a superset of the sample: a quasi-identifier combination occurs more often in the sample than in the population; details name the model field, the values and both counts.",
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
