import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_blockNumber`: the number of the head block.
 *
 * @example
 * ```ts
 * // → "0x2"
 * ```
 */
export const ethBlockNumber = defineMethod({
  name: "eth_blockNumber",
  params: [],
  execute: ({ api }) => api.head().header.number,
  format: rpcHex.quantity,
});
