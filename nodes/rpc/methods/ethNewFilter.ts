import { defineMethod } from "../defineMethod.ts";
import { filterRegistryOf } from "../filterRegistryOf.ts";
import { logFilterParam } from "../logFilterParam.ts";
import { param } from "../param.ts";
import { assertFilterAddresses } from "../queryLogs.ts";

/**
 * `eth_newFilter(filter)`: installs a log filter and returns its id. eth_getFilterChanges then
 * returns the matching logs of blocks committed since the last poll (within the filter's
 * fromBlock/toBlock when they are numbers); eth_getFilterLogs runs the whole query.
 *
 * @throws CustosError RPC_INVALID_PARAMS (also for a numeric fromBlock after toBlock),
 *   RPC_LIMIT_EXCEEDED (filter caps, too many addresses).
 * @example
 * ```ts
 * // [{ address: "0x…", topics: ["0x…"] }] → "0x9cef478923ff08bf67fde6c64013158d"
 * ```
 */
export const ethNewFilter = defineMethod({
  name: "eth_newFilter",
  params: [logFilterParam],
  execute(context, [filter]): string {
    const { fromBlock, toBlock } = filter;
    if (fromBlock?.kind === "number" && toBlock?.kind === "number") {
      if (fromBlock.number > toBlock.number) {
        param.invalid("params[0].fromBlock", "a block at or before toBlock", "fromBlock");
      }
    }
    assertFilterAddresses(filter.addresses.length, context.limits);
    return filterRegistryOf(context, "eth_newFilter").installLogs(
      context.client ?? "local",
      filter,
    );
  },
  format: (id: string) => id,
});
