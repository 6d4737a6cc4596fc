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
