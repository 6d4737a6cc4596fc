import { defineMethod } from "../defineMethod.ts";

/**
 * `net_version`: the network id, which is the chain id as a decimal string.
 *
 * @example
 * ```ts
 * // → "1337"
 * ```
 */
export const netVersion = defineMethod({
  name: "net_version",
  params: [],
  execute: ({ api }) => api.chainId(),
  format: (chainId: bigint) => chainId.toString(10),
});
