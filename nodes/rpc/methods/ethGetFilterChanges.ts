import { defineMethod } from "../defineMethod.ts";
import type { FilterChanges } from "../FilterRegistry.ts";
import { filterIdParam } from "../filterIdParam.ts";
import { filterRegistryOf } from "../filterRegistryOf.ts";
import { formatLog } from "../formatLog.ts";
import { JsonList } from "../JsonList.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getFilterChanges(id)`: what happened since the filter's last poll — logs for a log
 * filter, block or transaction hashes for the others. Polling keeps a filter alive; one not
 * polled for `filterIdleMs` (5 minutes) is uninstalled.
 *
 * @throws CustosError RPC_FILTER_NOT_FOUND for an unknown or expired id, RPC_INVALID_PARAMS,
 *   RPC_LIMIT_EXCEEDED when one block alone holds more matching logs than `maxLogResults`.
 * @example
 * ```ts
 * // ["0x9cef478923ff08bf67fde6c64013158d"] → ["0x…"]
 * ```
 */
export const ethGetFilterChanges = defineMethod({
  name: "eth_getFilterChanges",
  params: [filterIdParam],
  execute: (context, [id]) => filterRegistryOf(context, "eth_getFilterChanges").changes(id),
  format: (changes: FilterChanges) =>
    changes.kind === "logs"
      ? JsonList.of(changes.logs, formatLog)
      : JsonList.of(changes.hashes, rpcHex.data),
});
