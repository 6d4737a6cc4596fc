import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `net_peerCount`: the number of connected peers, as a quantity.
 *
 * @example
 * ```ts
 * // → "0x3"
 * ```
 */
export const netPeerCount = defineMethod({
  name: "net_peerCount",
  params: [],
  execute: ({ api }) => api.metrics().peers,
  format: (peers: number) => rpcHex.quantity(peers),
});
