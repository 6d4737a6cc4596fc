import { defineMethod } from "../defineMethod.ts";
import { filterIdParam } from "../filterIdParam.ts";
import { filterRegistryOf } from "../filterRegistryOf.ts";
import { formatLog } from "../formatLog.ts";
import { JsonList } from "../JsonList.ts";
import type { IndexedLog } from "../NodeApi.ts";
import { queryLogs } from "../queryLogs.ts";

/**
 * `eth_getFilterLogs(id)`: every log matching a log filter, as eth_getLogs would answer its
 * definition now (same range and result caps).
 *
 * @throws CustosError RPC_FILTER_NOT_FOUND for an unknown id or a block / pending filter,
 *   RPC_INVALID_PARAMS, RPC_LIMIT_EXCEEDED.
 * @example
 * ```ts
 * // ["0x9cef478923ff08bf67fde6c64013158d"] → [{ logIndex: "0x0", … }]
 * ```
 */
export const ethGetFilterLogs = defineMethod({
  name: "eth_getFilterLogs",
  params: [filterIdParam],
  execute: (context, [id]) =>
    queryLogs(context, filterRegistryOf(context, "eth_getFilterLogs").logFilter(id)),
  format: (logs: readonly IndexedLog[]) => JsonList.of(logs, formatLog),
});
