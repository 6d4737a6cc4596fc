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
  // Consent index (src/consent/consentIndex.ts)
  CONSENT_DENIED: {
    description:
      "Consent does not permit this use of the subject's data; details.reason names the rule that denied it.",
    httpStatus: 403,
    rpcCode: -32003,
  },
  CONSENT_CHANGE_INVALID: {
    description:
      "A consent change given to the consent index is malformed; details name the field and its position in the batch.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  CONSENT_INDEX_FULL: {
    description: "The consent index cannot hold more subjects than its maximum size.",
    httpStatus: 507,
    rpcCode: -32005,
  },
  CONSENT_SYNC_REGRESSION: {
    description:
      "The consent index was marked synced at a block below the one it was already synced to.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  CONSENT_SPOT_CHECK_READ_FAILED: {
    description:
      "Reading a subject's consent record from the contract failed or returned a malformed record during a spot check.",
    httpStatus: 502,
    rpcCode: -32002,
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
