import { defineMethod } from "../defineMethod.ts";

/**
 * `eth_accounts`: always empty; the node holds no keys, clients sign locally.
 *
 * @example
 * ```ts
 * // → []
 * ```
 */
export const ethAccounts = defineMethod({
  name: "eth_accounts",
  params: [],
  execute: () => [],
  format: (accounts: readonly string[]) => accounts,
});
