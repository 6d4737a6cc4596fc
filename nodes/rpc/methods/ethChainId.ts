import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_chainId`: the EIP-155 chain id.
 *
 * @example
 * ```ts
 * // → "0x539"
 * ```
 */
export const ethChainId = defineMethod({
  name: "eth_chainId",
  params: [],
  execute: ({ api }) => api.chainId(),
  format: rpcHex.quantity,
});
