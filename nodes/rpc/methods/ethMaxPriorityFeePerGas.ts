import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_maxPriorityFeePerGas`: a priority fee (tip) that gets a transaction included.
 *
 * @example
 * ```ts
 * // → "0x0"
 * ```
 */
export const ethMaxPriorityFeePerGas = defineMethod({
  name: "eth_maxPriorityFeePerGas",
  params: [],
  execute: ({ api }) => api.maxPriorityFee(),
  format: rpcHex.quantity,
});
