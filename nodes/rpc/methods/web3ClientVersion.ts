import { defineMethod } from "../defineMethod.ts";

/**
 * `web3_clientVersion`: the node's client version string.
 *
 * @example
 * ```ts
 * // → "custos/0.1.0/linux-x64/node22"
 * ```
 */
export const web3ClientVersion = defineMethod({
  name: "web3_clientVersion",
  params: [],
  execute: ({ api }) => api.clientVersion(),
  format: (version: string) => version,
});
