import { readCompactLog, skipCompactData } from "./decodeCompactReceipts.ts";
import type { LogFilter } from "./logFilter.ts";
import {
  ADDRESS_WIDTH,
  type CompactCursor,
  type CompactTable,
  corruptReceipts,
  openCompactReceipts,
  pointAtEntry,
  readCount,
  readReceiptHead,
  readReceiptSpan,
  readToken,
  valueIs,
  WORD_WIDTH,
} from "./openCompactReceipts.ts";
import type { ScannedLog } from "./ScannedLog.ts";

/** Values a filter position accepts, and which of the block's table entries are one. */
interface Wanted {
  readonly values: readonly Uint8Array[];
  readonly entries: Uint8Array;
}

function wantedOf(c: CompactCursor, table: CompactTable, values: readonly Uint8Array[]): Wanted {
  const entries = new Uint8Array(table.count);
  for (let i = 0; i < table.count; i++) {
    pointAtEntry(c, table, i);
    for (const value of values) {
      if (valueIs(c, value)) {
        entries[i] = 1;
        break;
      }
    }
  }
  return { values, entries };
}

/** Whether the value the cursor's last token named is wanted: an index or an in-place compare. */
function isWanted(c: CompactCursor, wanted: Wanted): boolean {
  if (c.ref >= 0) return wanted.entries[c.ref] === 1;
  for (const value of wanted.values) if (valueIs(c, value)) return true;
  return false;
}

/** A filter resolved against one block's table. */
interface BlockFilter {
  /** Undefined: any address. */
  readonly addresses: Wanted | undefined;
  /** Per topic position; null where any topic (or, beyond `minTopics`, none) will do. */
  readonly topics: readonly (Wanted | null)[];
  /** Topics a log needs: one past the last position the filter constrains. */
  readonly minTopics: number;
}

function blockFilter(
  c: CompactCursor,
  table: CompactTable,
  filter: Pick<LogFilter, "addresses" | "topics">,
): BlockFilter {
  let minTopics = 0;
  const topics = filter.topics.map((position, i): Wanted | null => {
    if (position === null || position === undefined) return null;
    minTopics = i + 1;
    const values = position instanceof Uint8Array ? [position] : position;
    return values.length === 0 ? null : wantedOf(c, table, values);
  });
  const addresses = filter.addresses.length > 0 ? wantedOf(c, table, filter.addresses) : undefined;
  return { addresses, topics, minTopics };
}

/** Walks the log at the cursor to its end and tells whether the filter accepts it. */
function logMatches(c: CompactCursor, table: CompactTable, filter: BlockFilter): boolean {
  readToken(c, table, ADDRESS_WIDTH);
  let matches = filter.addresses === undefined || isWanted(c, filter.addresses);
  const topicCount = readCount(c);
  if (topicCount < filter.minTopics) matches = false;
  for (let i = 0; i < topicCount; i++) {
    readToken(c, table, WORD_WIDTH);
    const wanted = matches && i < filter.topics.length ? filter.topics[i] : null;
    if (wanted && !isWanted(c, wanted)) matches = false;
  }
  skipCompactData(c, table);
  return matches;
}

/**
 * `scanStoredLogs` over a compact receipts value (`encodeCompactReceipts`): the filter's
 * addresses and topics are looked up in the block's table once, so a log's repeated values
 * are matched by their table index and only its inline values are compared, in place; only
 * the matching logs are copied out.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a compact receipts value.
 * @example
 * ```ts
 * const logs = scanCompactLogs(bytes, "0x72…", { addresses: [], topics: [null, subject] });
 * ```
 */
export function scanCompactLogs(
  bytes: Uint8Array,
  key: string,
  filter: Pick<LogFilter, "addresses" | "topics">,
): ScannedLog[] {
  const { cursor: c, receiptCount, table } = openCompactReceipts(bytes, key);
  const resolved = blockFilter(c, table, filter);
  const found: ScannedLog[] = [];
  let logIndex = 0;
  for (let r = 0; r < receiptCount; r++) {
    const { logCount, end } = readReceiptSpan(c);
    c.end = end;
    const head = readReceiptHead(c);
    for (let i = 0; i < logCount; i++, logIndex++) {
      const start = c.pos;
      if (!logMatches(c, table, resolved)) continue;
      c.pos = start;
      const [address, topics, data] = readCompactLog(c, table, true);
      found.push({
        address,
        topics,
        data,
        txHash: bytes.slice(head.txHashAt, head.txHashAt + head.txHashLength),
        txIndex: head.txIndex,
        logIndex,
      });
    }
    if (c.pos !== end) throw corruptReceipts(key);
    c.end = bytes.length;
  }
  if (c.pos !== bytes.length) throw corruptReceipts(key);
  return found;
}
