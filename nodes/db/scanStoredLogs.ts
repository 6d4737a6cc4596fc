import { CustosError } from "../../src/errors/index.ts";
import { type RlpItem, type RlpSource, rlpItemAt } from "./decodeRlp.ts";
import type { LogFilter } from "./logFilter.ts";

/** A log of a block's stored receipts that matched, copied out of the stored bytes. */
export interface ScannedLog {
  readonly address: Uint8Array;
  readonly topics: readonly Uint8Array[];
  readonly data: Uint8Array;
  readonly txHash: Uint8Array;
  readonly txIndex: number;
  /** Position of the log among all logs of its block. */
  readonly logIndex: number;
}

function corrupt(source: RlpSource): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", "stored receipts are not a well-formed list", {
    details: { keyspace: source.keyspace, key: source.key },
  });
}

function equalsAt(bytes: Uint8Array, item: RlpItem, wanted: Uint8Array): boolean {
  const length = item.end - item.start;
  if (length !== wanted.length) return false;
  for (let i = 0; i < length; i++) {
    if (bytes[item.start + i] !== wanted[i]) return false;
  }
  return true;
}

function matchesAny(bytes: Uint8Array, item: RlpItem, wanted: readonly Uint8Array[]): boolean {
  for (const w of wanted) if (equalsAt(bytes, item, w)) return true;
  return false;
}

/** Reads an unpadded big-endian integer field (a transaction index). */
function intAt(bytes: Uint8Array, item: RlpItem): number {
  let value = 0;
  for (let i = item.start; i < item.end; i++) value = value * 256 + (bytes[i] as number);
  return value;
}

/**
 * The logs of one block's stored receipts (the receipts keyspace's RLP, see
 * `encodeStoredReceipts`) that match `filter`'s addresses and topics, with their positions.
 * Walks the RLP in place and copies out only the matching logs: decoding a block of 5,000
 * ConsentGranted events into objects took tens of milliseconds, and an indexed query
 * usually wants one of them.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts list; `key` (hex)
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
  const source: RlpSource = { keyspace: "receipts", key };
  const found: ScannedLog[] = [];
  const outer = rlpItemAt(bytes, 0, bytes.length, source);
  if (!outer.list || outer.end !== bytes.length) throw corrupt(source);
  const topicItems: RlpItem[] = [];
  let logIndex = 0;
  for (let pos = outer.start; pos < outer.end; ) {
    const receipt = rlpItemAt(bytes, pos, outer.end, source);
    if (!receipt.list) throw corrupt(source);
    pos = receipt.end;
    const fields: RlpItem[] = [];
    for (let f = receipt.start; f < receipt.end; ) {
      const field = rlpItemAt(bytes, f, receipt.end, source);
      fields.push(field);
      f = field.end;
    }
    const txHash = fields[1];
    const txIndex = fields[2];
    const logs = fields[9];
    if (fields.length !== 10 || txHash === undefined || txIndex === undefined || !logs?.list) {
      throw corrupt(source);
    }
    for (let l = logs.start; l < logs.end; ) {
      const log = rlpItemAt(bytes, l, logs.end, source);
      l = log.end;
      const index = logIndex++;
      if (!log.list) throw corrupt(source);
      const address = rlpItemAt(bytes, log.start, log.end, source);
      const topics = rlpItemAt(bytes, address.end, log.end, source);
      const data = rlpItemAt(bytes, topics.end, log.end, source);
      if (address.list || !topics.list || data.list || data.end !== log.end) throw corrupt(source);
      if (filter.addresses.length > 0 && !matchesAny(bytes, address, filter.addresses)) continue;
      topicItems.length = 0;
      for (let t = topics.start; t < topics.end; ) {
        const topic = rlpItemAt(bytes, t, topics.end, source);
        if (topic.list) throw corrupt(source);
        topicItems.push(topic);
        t = topic.end;
      }
      if (!topicsMatch(bytes, topicItems, filter.topics)) continue;
      found.push({
        address: bytes.slice(address.start, address.end),
        topics: topicItems.map((t) => bytes.slice(t.start, t.end)),
        data: bytes.slice(data.start, data.end),
        txHash: bytes.slice(txHash.start, txHash.end),
        txIndex: intAt(bytes, txIndex),
        logIndex: index,
      });
    }
  }
  return found;
}

function topicsMatch(
  bytes: Uint8Array,
  topics: readonly RlpItem[],
  filter: LogFilter["topics"],
): boolean {
  for (let i = 0; i < filter.length; i++) {
    const wanted = filter[i];
    if (wanted === null || wanted === undefined) continue;
    const actual = topics[i];
    if (actual === undefined) return false;
    if (wanted instanceof Uint8Array) {
      if (!equalsAt(bytes, actual, wanted)) return false;
    } else if (wanted.length > 0 && !matchesAny(bytes, actual, wanted)) {
      return false;
    }
  }
  return true;
}
