import { defineMethod } from "../defineMethod.ts";
import { filterRegistryOf } from "../filterRegistryOf.ts";

/**
 * `eth_newPendingTransactionFilter()`: installs a filter whose changes are the hashes of
 * transactions that became executable in the pool since the last poll (the node remembers
 * the last 4,096 such admissions).
 *
 * @throws CustosError RPC_LIMIT_EXCEEDED at the filter caps.
 * @example
 * ```ts
 * // [] → "0x9cef478923ff08bf67fde6c64013158d"
 * ```
 */
export const ethNewPendingTransactionFilter = defineMethod({
  name: "eth_newPendingTransactionFilter",
  params: [],
  execute: (context): string =>
    filterRegistryOf(context, "eth_newPendingTransactionFilter").installPendingTransactions(
      context.client ?? "local",
    ),
  format: (id: string) => id,
});
