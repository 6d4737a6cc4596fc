import type { Log } from "@ethereumjs/evm";
import { bytesToBigInt } from "@ethereumjs/util";
import {
  ADDRESS_WIDTH,
  BLOOM_LENGTH,
  type CompactCursor,
  type CompactTable,
  corruptReceipts,
  openCompactReceipts,
  readCount,
  readReceiptHead,
  readReceiptSpan,
  readToken,
  readVarint,
  STATUS_FLAG,
  skipBytes,
  valueLength,
  WORD_WIDTH,
  writeValue,
} from "./openCompactReceipts.ts";
import type { LocatedReceipt, StoredReceipt } from "./StoredReceiptTypes.ts";

/** The value the cursor's last token named: a view of raw bytes, unless `copy`. */
function tokenValue(c: CompactCursor, copy: boolean): Uint8Array {
  if (c.width === 0) {
    return copy ? c.bytes.slice(c.at, c.at + c.length) : c.bytes.subarray(c.at, c.at + c.length);
  }
  const out = new Uint8Array(c.width);
  writeValue(c, out, 0);
  return out;
}

/**
 * Reads a log's data header: the number of data words that follow, or -1 with the cursor
 * past raw data, whose place is left in its `at` and `length`.
 */
function readDataHeader(c: CompactCursor): number {
  const d = readVarint(c);
  if (d % 2 === 1) {
    c.ref = -1;
    c.width = 0;
    c.length = (d - 1) / 2;
    c.at = skipBytes(c, c.length);
    return -1;
  }
  const words = d / 2;
  if (words > c.end - c.pos) throw corruptReceipts(c.key);
  return words;
}

/** Reads one data word's token, which must name a 32-byte value. */
function readWord(c: CompactCursor, table: CompactTable): void {
  readToken(c, table, WORD_WIDTH);
  if (valueLength(c) !== WORD_WIDTH) throw corruptReceipts(c.key);
}

/**
 * Moves the cursor past a log's data, checking every word token.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the data is malformed.
 * @example
 * ```ts
 * skipCompactData(cursor, table);
 * ```
 */
export function skipCompactData(c: CompactCursor, table: CompactTable): void {
  const words = readDataHeader(c);
  for (let i = 0; i < words; i++) readWord(c, table);
}

/**
 * Reads the log at the cursor. Raw addresses, topics and data are views of the stored
 * bytes unless `copy`; values padded back to their width are always new arrays.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the log is malformed.
 * @example
 * ```ts
 * const [address, topics, data] = readCompactLog(cursor, table, true);
 * ```
 */
export function readCompactLog(c: CompactCursor, table: CompactTable, copy: boolean): Log {
  readToken(c, table, ADDRESS_WIDTH);
  const address = tokenValue(c, copy);
  const topicCount = readCount(c);
  const topics: Uint8Array[] = [];
  for (let i = 0; i < topicCount; i++) {
    readToken(c, table, WORD_WIDTH);
    topics.push(tokenValue(c, copy));
  }
  const words = readDataHeader(c);
  if (words < 0) return [address, topics, tokenValue(c, copy)];
  const data = new Uint8Array(words * WORD_WIDTH);
  for (let i = 0; i < words; i++) {
    readWord(c, table);
    writeValue(c, data, i * WORD_WIDTH);
  }
  return [address, topics, data];
}

/** Reads the receipt at the cursor (its span, fields and logs). */
function readReceipt(c: CompactCursor, table: CompactTable): StoredReceipt {
  const { logCount, end } = readReceiptSpan(c);
  const { bytes } = c;
  c.end = end;
  const head = readReceiptHead(c);
  const logs: Log[] = [];
  for (let i = 0; i < logCount; i++) logs.push(readCompactLog(c, table, false));
  if (c.pos !== end) throw corruptReceipts(c.key);
  c.end = bytes.length;
  const field = (at: number, length: number) => bytes.subarray(at, at + length);
  const receipt: StoredReceipt = {
    txType: head.txType,
    txHash: field(head.txHashAt, head.txHashLength),
    txIndex: head.txIndex,
    status: head.flags & STATUS_FLAG ? 1 : 0,
    cumulativeGasUsed: bytesToBigInt(field(head.cumulativeGasUsedAt, head.cumulativeGasUsedLength)),
    gasUsed: bytesToBigInt(field(head.gasUsedAt, head.gasUsedLength)),
    effectiveGasPrice: bytesToBigInt(field(head.effectiveGasPriceAt, head.effectiveGasPriceLength)),
    logsBloom:
      head.bloomAt < 0 ? new Uint8Array(BLOOM_LENGTH) : field(head.bloomAt, head.bloomLength),
    logs,
  };
  return head.contractAddressAt < 0
    ? receipt
    : { ...receipt, contractAddress: field(head.contractAddressAt, head.contractAddressLength) };
}

/**
 * Decodes what `encodeCompactReceipts` wrote.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a compact receipts value.
 * @example
 * ```ts
 * const receipts = decodeCompactReceipts(bytes, "0x72…");
 * ```
 */
export function decodeCompactReceipts(bytes: Uint8Array, key: string): StoredReceipt[] {
  const { cursor, receiptCount, table } = openCompactReceipts(bytes, key);
  const receipts: StoredReceipt[] = [];
  for (let i = 0; i < receiptCount; i++) receipts.push(readReceipt(cursor, table));
  if (cursor.pos !== bytes.length) throw corruptReceipts(key);
  return receipts;
}

/**
 * The receipt at `index` of a compact receipts value, decoding only that one: the others
 * are skipped by their lengths, their logs counted from their headers.
 *
 * @returns undefined when the block has no receipt at `index`.
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a compact receipts value.
 * @example
 * ```ts
 * const located = readCompactReceipt(bytes, "0x72…", 3);
 * ```
 */
export function readCompactReceipt(
  bytes: Uint8Array,
  key: string,
  index: number,
): LocatedReceipt | undefined {
  const { cursor, receiptCount, table } = openCompactReceipts(bytes, key);
  let firstLogIndex = 0;
  let located: LocatedReceipt | undefined;
  for (let i = 0; i < receiptCount; i++) {
    if (i === index) {
      located = { receipt: readReceipt(cursor, table), firstLogIndex };
      continue;
    }
    const { logCount, end } = readReceiptSpan(cursor);
    firstLogIndex += logCount;
    cursor.pos = end;
  }
  if (cursor.pos !== bytes.length) throw corruptReceipts(key);
  return located;
}
