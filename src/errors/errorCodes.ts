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
  // Node JSON-RPC (nodes/rpc): EIP-1474 boundary and transaction admission.
  RPC_PARSE_ERROR: {
    description: "A JSON-RPC request body is not valid JSON.",
    httpStatus: 400,
    rpcCode: -32700,
  },
  RPC_INVALID_REQUEST: {
    description:
      "A JSON-RPC message is not a valid request object (jsonrpc, method, params or id malformed, or an empty batch).",
    httpStatus: 400,
    rpcCode: -32600,
  },
  RPC_METHOD_NOT_FOUND: {
    description: "The JSON-RPC method does not exist on this node.",
    httpStatus: 404,
    rpcCode: -32601,
  },
  RPC_METHOD_NOT_SUPPORTED: {
    description:
      "The JSON-RPC method exists but not on this transport (subscriptions over HTTP) or not with these options.",
    httpStatus: 400,
    rpcCode: -32004,
  },
  RPC_INVALID_PARAMS: {
    description:
      "A JSON-RPC parameter is missing, extra or malformed; details.path names it (e.g. params[0].topics[1]).",
    httpStatus: 400,
    rpcCode: -32602,
  },
  RPC_LIMIT_EXCEEDED: {
    description:
      "A request exceeds a configured limit (batch size, getLogs block range or result count, feeHistory span, subscriptions per connection); details name the limit.",
    httpStatus: 429,
    rpcCode: -32005,
  },
  RPC_BODY_TOO_LARGE: {
    description: "A request body is larger than the configured body limit.",
    httpStatus: 413,
    rpcCode: -32005,
  },
  RPC_RESOURCE_NOT_FOUND: {
    description:
      "A block named by hash or number in a request does not exist on this node (EIP-1898 resource not found).",
    httpStatus: 404,
    rpcCode: -32001,
  },
  RPC_BLOCK_NOT_CANONICAL: {
    description:
      "An EIP-1898 block parameter with requireCanonical names a block that is not on the canonical chain.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  RPC_EXECUTION_REVERTED: {
    description:
      "An eth_call or eth_estimateGas execution reverted; the JSON-RPC boundary answers code 3 (as geth) with the revert data in error.data.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  RPC_EXECUTION_FAILED: {
    description:
      "An eth_call or eth_estimateGas execution halted exceptionally (out of gas, invalid opcode); the message names the reason.",
    httpStatus: 400,
    rpcCode: -32000,
  },
  TX_ENCODING_INVALID: {
    description:
      "Raw transaction bytes do not decode to a signed transaction of a supported type; details name the problem.",
    httpStatus: 400,
    rpcCode: -32602,
  },
  TX_NONCE_TOO_LOW: {
    description:
      "A transaction's nonce is below the sender's next nonce (already used); details carry both nonces.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  TX_INSUFFICIENT_FUNDS: {
    description:
      "The sender's balance cannot cover the transaction's gas limit times fee cap plus value.",
    httpStatus: 402,
    rpcCode: -32000,
  },
  TX_REPLACEMENT_UNDERPRICED: {
    description:
      "A transaction replacing a pending one with the same sender and nonce does not raise its fees by the required bump.",
    httpStatus: 409,
    rpcCode: -32000,
  },
  TX_SENDER_NOT_MEMBER: {
    description:
      "A transaction's sender is not an account of a consortium member, so the node refuses it (EIP-1474 transaction rejected).",
    httpStatus: 403,
    rpcCode: -32003,
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
