import { bytesToHex } from "@ethereumjs/util";
import { type ErrorCode, errorCodes, isCustosError } from "../../src/errors/index.ts";
import type { JsonValue } from "./JsonValue.ts";

/** A JSON-RPC 2.0 error object. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: JsonValue;
}

/**
 * Message prefixes clients match on (ethers v6 maps "nonce too low", "insufficient funds",
 * "replacement transaction underpriced" to its error codes; geth sends these words).
 */
const clientPhrases: Partial<Record<ErrorCode, string>> = {
  TXPOOL_NONCE_TOO_LOW: "nonce too low",
  TXPOOL_INSUFFICIENT_FUNDS: "insufficient funds for gas * price + value",
  TXPOOL_REPLACEMENT_UNDERPRICED: "replacement transaction underpriced",
};

/**
 * Code 3 is not in EIP-1474 (the registry keeps -32000 for reverts) but is what geth sends
 * and what ethers and viem decode revert data from.
 */
const revertRpcCode = 3;

const maxDepth = 4;

/** Details made JSON-safe: bigint as decimal string, bytes as hex, nothing deeper than 4 levels. */
function jsonSafe(value: unknown, depth: number): JsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString(10);
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (depth >= maxDepth || typeof value !== "object" || value instanceof Error) return undefined;
  if (Array.isArray(value)) return value.map((item) => jsonSafe(item, depth + 1) ?? null);
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const safe = jsonSafe(item, depth + 1);
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}

/**
 * Maps any thrown value to a JSON-RPC error object: a CustosError by its registered
 * `rpcCode`, with `data = { code, details }` (a revert is code 3 with the revert bytes as
 * `data`, as geth sends it); anything else is -32603 "internal error" with no message or stack of the cause.
 * `internal` is true when the caller should log the cause.
 *
 * @example
 * ```ts
 * toRpcError(new CustosError("TXPOOL_NONCE_TOO_LOW", "nonce 3 < 5")).error.code; // -32000
 * ```
 */
export function toRpcError(thrown: unknown): {
  readonly error: RpcErrorObject;
  readonly internal: boolean;
} {
  if (!isCustosError(thrown) || thrown.code === "INTERNAL") {
    return { error: { code: -32603, message: "internal error" }, internal: true };
  }
  const { rpcCode } = errorCodes[thrown.code];
  if (thrown.code === "RPC_EXECUTION_REVERTED") {
    const data = thrown.details.data;
    return {
      error: {
        code: revertRpcCode,
        message: thrown.shortMessage,
        data: typeof data === "string" ? data : "0x",
      },
      internal: false,
    };
  }
  const phrase = clientPhrases[thrown.code];
  const message =
    phrase === undefined || thrown.shortMessage.startsWith(phrase)
      ? thrown.shortMessage
      : `${phrase}: ${thrown.shortMessage}`;
  const details = jsonSafe(thrown.details, 0) ?? {};
  return {
    error: { code: rpcCode, message, data: { code: thrown.code, details } },
    internal: rpcCode === -32603,
  };
}
