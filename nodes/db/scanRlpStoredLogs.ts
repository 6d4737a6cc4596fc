import { CustosError } from "../../src/errors/index.ts";
import { type RlpItem, type RlpSource, rlpChildren } from "./decodeRlp.ts";
import { rlpReceiptFields, rlpReceiptItems } from "./decodeRlpStoredReceipts.ts";
import type { LogFilter } from "./logFilter.ts";
import type { ScannedLog } from "./ScannedLog.ts";

function corrupt(source: RlpSource): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", "a stored log is malformed", {
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
 * `scanStoredLogs` over a value of the older format (one RLP list of receipts): walks the
 * RLP in place and copies out only the matching logs.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts list.
 * @example
 * ```ts
 * const logs = scanRlpStoredLogs(bytes, "0x72…", { addresses: [], topics: [null, subject] });
 * ```
 */
export function scanRlpStoredLogs(
  bytes: Uint8Array,
  key: string,
  filter: Pick<LogFilter, "addresses" | "topics">,
): ScannedLog[] {
  const source: RlpSource = { keyspace: "receipts", key };
  const found: ScannedLog[] = [];
  let logIndex = 0;
  for (const receipt of rlpReceiptItems(bytes, source)) {
    const { txHash, txIndex, logs } = rlpReceiptFields(bytes, receipt, source);
    for (const log of rlpChildren(bytes, logs, source)) {
      const index = logIndex++;
      const [address, topicList, data, ...rest] = rlpChildren(bytes, log, source);
      if (address === undefined || topicList === undefined || data === undefined) {
        throw corrupt(source);
      }
      if (rest.length > 0 || address.list || data.list) throw corrupt(source);
      if (filter.addresses.length > 0 && !matchesAny(bytes, address, filter.addresses)) continue;
      const topics = rlpChildren(bytes, topicList, source);
      if (topics.some((topic) => topic.list)) throw corrupt(source);
      if (!topicsMatch(bytes, topics, filter.topics)) continue;
      found.push({
        address: bytes.slice(address.start, address.end),
        topics: topics.map((t) => bytes.slice(t.start, t.end)),
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
