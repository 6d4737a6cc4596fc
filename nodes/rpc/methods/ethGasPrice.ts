import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_gasPrice`: a legacy gas price that gets a transaction included.
 *
 * @example
 * ```ts
 * // → "0x3b9aca00"
 * ```
 */
export const ethGasPrice = defineMethod({
  name: "eth_gasPrice",
  params: [],
  execute: ({ api }) => api.gasPrice(),
  format: rpcHex.quantity,
});
