import type { JsonValue } from "./JsonValue.ts";
import type { IndexedLog } from "./NodeApi.ts";
import { rpcHex } from "./rpcHex.ts";

/**
 * Formats a log as execution-apis' Log object.
 *
 * @example
 * ```ts
 * formatLog(log).logIndex; // "0x0"
 * ```
 */
export function formatLog(log: IndexedLog): { readonly [key: string]: JsonValue } {
  return {
    address: rpcHex.data(log.address),
    topics: log.topics.map((topic) => rpcHex.data(topic)),
    data: rpcHex.data(log.data),
    blockNumber: rpcHex.quantity(log.blockNumber),
    blockHash: rpcHex.data(log.blockHash),
    transactionHash: rpcHex.data(log.txHash),
    transactionIndex: rpcHex.quantity(log.txIndex),
    logIndex: rpcHex.quantity(log.logIndex),
    removed: log.removed,
  };
}
