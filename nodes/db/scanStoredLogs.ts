import type { LogFilter } from "./logFilter.ts";
import type { ScannedLog } from "./ScannedLog.ts";
import { scanCompactLogs } from "./scanCompactLogs.ts";
import { scanRlpStoredLogs } from "./scanRlpStoredLogs.ts";
import { isCompactReceipts } from "./storedReceipt.ts";

export type { ScannedLog } from "./ScannedLog.ts";

/**
 * The logs of one block's stored receipts (the receipts keyspace's value, compact or of the
 * older RLP format) that match `filter`'s addresses and topics, with their positions. Walks
 * the bytes in place and copies out only the matching logs: decoding a block of 5,000
 * ConsentGranted events into objects took tens of milliseconds, and an indexed query
 * usually wants one of them.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts value; `key` (hex)
 *   only names the record in the error.
 * @example
 * ```ts
 * const logs = scanStoredLogs(bytes, "0x72…", { addresses: [], topics: [null, subject] });
 * ```
 */
export function scanStoredLogs(
  bytes: Uint8Array,
  key: string,
  filter: Pick<LogFilter, "addresses" | "topics">,
): ScannedLog[] {
  return isCompactReceipts(bytes, key)
    ? scanCompactLogs(bytes, key, filter)
    : scanRlpStoredLogs(bytes, key, filter);
}
