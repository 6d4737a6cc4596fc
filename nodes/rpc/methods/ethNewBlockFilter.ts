import { defineMethod } from "../defineMethod.ts";
import { filterRegistryOf } from "../filterRegistryOf.ts";

/**
 * `eth_newBlockFilter()`: installs a filter whose changes are the hashes of blocks committed
 * since the last poll.
 *
 * @throws CustosError RPC_LIMIT_EXCEEDED at the filter caps.
 * @example
 * ```ts
 * // [] → "0x9cef478923ff08bf67fde6c64013158d"
 * ```
 */
export const ethNewBlockFilter = defineMethod({
  name: "eth_newBlockFilter",
  params: [],
  execute: (context): string =>
    filterRegistryOf(context, "eth_newBlockFilter").installBlocks(context.client ?? "local"),
  format: (id: string) => id,
});
