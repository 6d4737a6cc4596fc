import { defineMethod } from "../defineMethod.ts";
import { formatLog } from "../formatLog.ts";
import { JsonList } from "../JsonList.ts";
import { logFilterParam } from "../logFilterParam.ts";
import type { IndexedLog } from "../NodeApi.ts";
import { queryLogs } from "../queryLogs.ts";

/**
 * `eth_getLogs(filter)`: logs matching a filter, by block range (capped) or by `blockHash`.
 * A range reaching past the head stops at the head; a wider range than `maxLogBlockRange`
 * or more than `maxLogResults` logs is refused with -32005 rather than truncated, so a
 * client never mistakes a partial answer for a complete one.
 *
 * @throws CustosError RPC_LIMIT_EXCEEDED, RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an
 *   unknown blockHash.
 * @example
 * ```ts
 * // [{ fromBlock: "0x0", toBlock: "latest", topics: ["0x…"] }] → [{ logIndex: "0x0", … }]
 * ```
 */
export const ethGetLogs = defineMethod({
  name: "eth_getLogs",
  params: [logFilterParam],
  execute: (context, [filter]) => queryLogs(context, filter),
  format: (logs: readonly IndexedLog[]) => JsonList.of(logs, formatLog),
});
