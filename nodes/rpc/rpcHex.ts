import { CustosError } from "../../src/errors/index.ts";

/**
 * Node's native hex encoder over the same memory (no copy): several times faster than a
 * table lookup per byte, and it yields flat strings, which JSON.stringify then copies
 * without first flattening a rope (a 9,000-log eth_getLogs answer: ~45 ms instead of ~300 ms
 * to format, ~40 ms instead of ~280 ms to serialise).
 */
function hexOf(value: Uint8Array): string {
  return `0x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
}

/**
 * Hex encoders for JSON-RPC results, as execution-apis specify them: a quantity is `0x`
 * followed by its hex digits without leading zeros (`0x0` for zero); data is `0x` followed by
 * two lowercase hex digits per byte.
 *
 * @throws CustosError INTERNAL when asked to encode a negative quantity (a node bug).
 * @example
 * ```ts
 * rpcHex.quantity(1024n); // "0x400"
 * rpcHex.data(new Uint8Array([0, 1])); // "0x0001"
 * ```
 */
export const rpcHex = {
  quantity(value: bigint | number): string {
    if (value < 0) {
      throw new CustosError("INTERNAL", "negative quantity cannot be encoded", {
        details: { value: value.toString() },
      });
    }
    return `0x${value.toString(16)}`;
  },
  data(value: Uint8Array): string {
    return hexOf(value);
  },
  /** A nullable address or hash: `null` when absent. */
  optionalData(value: Uint8Array | undefined): string | null {
    return value === undefined ? null : hexOf(value);
  },
} as const;
