import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import {
  ADDRESS_WIDTH,
  BLOOM_LENGTH,
  COMPACT_RECEIPTS_FORMAT,
  CONTRACT_FLAG,
  MAX_VARINT,
  STATUS_FLAG,
  WORD_WIDTH,
  ZERO_BLOOM_FLAG,
} from "./openCompactReceipts.ts";
import type { StoredReceipt } from "./StoredReceiptTypes.ts";

/**
 * The distinct addresses, topics and data words of a block's logs (each kept where it first
 * occurs), how often each occurs and what its occurrences would take inline, and the value
 * of every occurrence in writing order. Values are found by hash in an open-addressing
 * table of `id + 1`: a Map keyed by a byte-wise hash took over half of the encoding's time.
 */
interface ValuePool {
  readonly sources: Uint8Array[];
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  /** Bytes left once leading zeros are dropped. */
  readonly significant: Int32Array;
  readonly counts: Int32Array;
  readonly inlineBytes: Float64Array;
  readonly hashes: Int32Array;
  readonly slots: Int32Array;
  readonly occurrences: Int32Array;
  /** The value at each position (address, topics, words) of the previous log. */
  readonly previous: number[];
  size: number;
  occurred: number;
  /** Where the current log's occurrences start. */
  logStart: number;
}

/** Probes before a value is kept apart unfound: bounds the work crafted collisions cause. */
const MAX_PROBES = 32;

interface ByteWriter {
  buf: Uint8Array;
  pos: number;
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 128; v = Math.floor(v / 128)) size++;
  return size;
}

function reserve(w: ByteWriter, n: number): void {
  if (w.pos + n <= w.buf.length) return;
  const grown = new Uint8Array(Math.max(2 * w.buf.length, w.pos + n));
  grown.set(w.buf.subarray(0, w.pos));
  w.buf = grown;
}

function writeVarint(w: ByteWriter, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value >= MAX_VARINT) {
    throw new CustosError("INTERNAL", "a receipt field is out of the stored range", {
      details: { value: String(value) },
    });
  }
  reserve(w, 5);
  let v = value;
  while (v >= 128) {
    w.buf[w.pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  w.buf[w.pos++] = v;
}

function writeBytes(w: ByteWriter, src: Uint8Array, start: number, length: number): void {
  reserve(w, length);
  // A loop for the short values a log is made of: a subarray per value costs more.
  if (length > 64) w.buf.set(src.subarray(start, start + length), w.pos);
  else for (let i = 0; i < length; i++) w.buf[w.pos + i] = src[start + i] as number;
  w.pos += length;
}

/** A byte string preceded by its length. */
function writeField(w: ByteWriter, bytes: Uint8Array): void {
  writeVarint(w, bytes.length);
  writeBytes(w, bytes, 0, bytes.length);
}

/** MurmurHash3's 32-bit mixing over 4-byte chunks (then bytes), with its finaliser. */
function hashOf(src: Uint8Array, start: number, length: number): number {
  let h = length;
  const end = start + length;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k =
      (src[i] as number) |
      ((src[i + 1] as number) << 8) |
      ((src[i + 2] as number) << 16) |
      ((src[i + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  for (; i < end; i++) h = Math.imul(h ^ (src[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function sameBytes(pool: ValuePool, id: number, src: Uint8Array, start: number, length: number) {
  if (pool.lengths[id] !== length) return false;
  const source = pool.sources[id] as Uint8Array;
  const from = pool.starts[id] as number;
  for (let i = 0; i < length; i++) if (source[from + i] !== src[start + i]) return false;
  return true;
}

/**
 * The header m of value `id` stored in a position of `width` (a token's m, or an entry's
 * with width 32): its significant bytes when it is that wide, else its length past `width`.
 */
function headerOf(pool: ValuePool, id: number, width: number): number {
  const length = pool.lengths[id] as number;
  return length === width ? (pool.significant[id] as number) : width + 1 + length;
}

/** How many of value `id`'s bytes are stored in a position of `width`. */
function storedLength(pool: ValuePool, id: number, width: number): number {
  const length = pool.lengths[id] as number;
  return length === width ? (pool.significant[id] as number) : length;
}

/** Writes the stored bytes of value `id` in a position of `width` (the last ones). */
function writeStored(w: ByteWriter, pool: ValuePool, id: number, width: number): void {
  const stored = storedLength(pool, id, width);
  const end = (pool.starts[id] as number) + (pool.lengths[id] as number);
  writeBytes(w, pool.sources[id] as Uint8Array, end - stored, stored);
}

/** Bytes an occurrence of value `id` takes inline in a position of `width`. */
function inlineSize(pool: ValuePool, id: number, width: number): number {
  return varintSize(2 * headerOf(pool, id, width) + 1) + storedLength(pool, id, width);
}

function addValue(
  pool: ValuePool,
  src: Uint8Array,
  start: number,
  length: number,
  hash: number,
): number {
  const id = pool.size++;
  let zeros = 0;
  while (zeros < length && src[start + zeros] === 0) zeros++;
  pool.sources.push(src);
  pool.starts[id] = start;
  pool.lengths[id] = length;
  pool.significant[id] = length - zeros;
  pool.hashes[id] = hash;
  return id;
}

function find(pool: ValuePool, src: Uint8Array, start: number, length: number): number {
  const hash = hashOf(src, start, length);
  const mask = pool.slots.length - 1;
  for (let probe = 0, slot = hash & mask; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
    const held = pool.slots[slot] as number;
    if (held === 0) {
      const id = addValue(pool, src, start, length, hash);
      pool.slots[slot] = id + 1;
      return id;
    }
    if (pool.hashes[held - 1] === hash && sameBytes(pool, held - 1, src, start, length)) {
      return held - 1;
    }
  }
  return addValue(pool, src, start, length, hash);
}

function intern(pool: ValuePool, src: Uint8Array, start: number, length: number, width: number) {
  // A batch's logs mostly repeat the previous log's value at the same position: one compare
  // instead of a hash and a probe.
  const position = pool.occurred - pool.logStart;
  const hint = pool.previous[position] ?? -1;
  const id =
    hint >= 0 && sameBytes(pool, hint, src, start, length) ? hint : find(pool, src, start, length);
  pool.previous[position] = id;
  pool.counts[id] = (pool.counts[id] as number) + 1;
  pool.inlineBytes[id] = (pool.inlineBytes[id] as number) + inlineSize(pool, id, width);
  pool.occurrences[pool.occurred++] = id;
}

function poolOf(receipts: readonly StoredReceipt[]): ValuePool {
  let occurrences = 0;
  for (const receipt of receipts) {
    for (const [, topics, data] of receipt.logs) {
      occurrences += 1 + topics.length;
      if (data.length % WORD_WIDTH === 0) occurrences += data.length / WORD_WIDTH;
    }
  }
  let slots = 16;
  while (slots < 2 * occurrences) slots *= 2;
  const pool: ValuePool = {
    sources: [],
    starts: new Int32Array(occurrences),
    lengths: new Int32Array(occurrences),
    significant: new Int32Array(occurrences),
    counts: new Int32Array(occurrences),
    inlineBytes: new Float64Array(occurrences),
    hashes: new Int32Array(occurrences),
    slots: new Int32Array(slots),
    occurrences: new Int32Array(occurrences),
    previous: [],
    size: 0,
    occurred: 0,
    logStart: 0,
  };
  for (const receipt of receipts) {
    for (const [address, topics, data] of receipt.logs) {
      pool.logStart = pool.occurred;
      intern(pool, address, 0, address.length, ADDRESS_WIDTH);
      for (const topic of topics) intern(pool, topic, 0, topic.length, WORD_WIDTH);
      if (data.length % WORD_WIDTH === 0) {
        for (let at = 0; at < data.length; at += WORD_WIDTH) {
          intern(pool, data, at, WORD_WIDTH, WORD_WIDTH);
        }
      }
    }
  }
  return pool;
}

/** Bytes value `id` takes as a table entry. */
function entrySize(pool: ValuePool, id: number): number {
  return varintSize(headerOf(pool, id, WORD_WIDTH)) + storedLength(pool, id, WORD_WIDTH);
}

/**
 * The table: the values that take fewer bytes as an entry plus a reference per occurrence
 * than inline, the most frequent first so that they get the one-byte references.
 */
function tableOf(pool: ValuePool): { readonly index: Int32Array; readonly entries: number[] } {
  const index = new Int32Array(pool.size).fill(-1);
  const entries: number[] = [];
  const repeated: number[] = [];
  for (let id = 0; id < pool.size; id++) {
    if ((pool.counts[id] as number) > 1) repeated.push(id);
  }
  repeated.sort((a, b) => (pool.counts[b] as number) - (pool.counts[a] as number) || a - b);
  for (const id of repeated) {
    const referenced =
      entrySize(pool, id) + (pool.counts[id] as number) * varintSize(2 * entries.length);
    if (referenced < (pool.inlineBytes[id] as number)) {
      index[id] = entries.length;
      entries.push(id);
    }
  }
  return { index, entries };
}

function writeEntry(w: ByteWriter, pool: ValuePool, id: number): void {
  writeVarint(w, headerOf(pool, id, WORD_WIDTH));
  writeStored(w, pool, id, WORD_WIDTH);
}

/** Writes value `id` in a position of `width`: its table reference, or the value inline. */
function writeToken(
  w: ByteWriter,
  pool: ValuePool,
  index: Int32Array,
  id: number,
  width: number,
): void {
  const ref = index[id] as number;
  if (ref >= 0) {
    writeVarint(w, 2 * ref);
    return;
  }
  writeVarint(w, 2 * headerOf(pool, id, width) + 1);
  writeStored(w, pool, id, width);
}

function tokenSize(pool: ValuePool, index: Int32Array, id: number, width: number): number {
  const ref = index[id] as number;
  return ref >= 0 ? varintSize(2 * ref) : inlineSize(pool, id, width);
}

function isZeroBloom(bloom: Uint8Array): boolean {
  if (bloom.length !== BLOOM_LENGTH) return false;
  for (const b of bloom) if (b !== 0) return false;
  return true;
}

/** Writes one receipt's body; `next` is its first occurrence in the pool's order. */
function writeBody(
  w: ByteWriter,
  receipt: StoredReceipt,
  pool: ValuePool,
  index: Int32Array,
  next: number,
): number {
  const zeroBloom = isZeroBloom(receipt.logsBloom);
  reserve(w, 1);
  w.buf[w.pos++] =
    (receipt.status === 1 ? STATUS_FLAG : 0) |
    (receipt.contractAddress === undefined ? 0 : CONTRACT_FLAG) |
    (zeroBloom ? ZERO_BLOOM_FLAG : 0);
  writeVarint(w, receipt.txType);
  writeField(w, receipt.txHash);
  writeVarint(w, receipt.txIndex);
  writeField(w, bigIntToUnpaddedBytes(receipt.cumulativeGasUsed));
  writeField(w, bigIntToUnpaddedBytes(receipt.gasUsed));
  writeField(w, bigIntToUnpaddedBytes(receipt.effectiveGasPrice));
  if (receipt.contractAddress !== undefined) writeField(w, receipt.contractAddress);
  if (!zeroBloom) writeField(w, receipt.logsBloom);
  let k = next;
  for (const [, topics, data] of receipt.logs) {
    writeToken(w, pool, index, pool.occurrences[k++] as number, ADDRESS_WIDTH);
    writeVarint(w, topics.length);
    for (let i = 0; i < topics.length; i++) {
      writeToken(w, pool, index, pool.occurrences[k++] as number, WORD_WIDTH);
    }
    if (data.length % WORD_WIDTH !== 0) {
      writeVarint(w, 2 * data.length + 1);
      writeBytes(w, data, 0, data.length);
      continue;
    }
    const words = data.length / WORD_WIDTH;
    let wordsSize = varintSize(2 * words);
    for (let i = 0; i < words; i++) {
      wordsSize += tokenSize(pool, index, pool.occurrences[k + i] as number, WORD_WIDTH);
    }
    // Words that neither repeat nor start with zeros (hashes) would each cost a header byte.
    if (wordsSize <= varintSize(2 * data.length + 1) + data.length) {
      writeVarint(w, 2 * words);
      for (let i = 0; i < words; i++) {
        writeToken(w, pool, index, pool.occurrences[k + i] as number, WORD_WIDTH);
      }
    } else {
      writeVarint(w, 2 * data.length + 1);
      writeBytes(w, data, 0, data.length);
    }
    k += words;
  }
  return k;
}

/**
 * Encodes a block's receipts in the compact format, the receipts keyspace's value since the
 * RLP list. A batch's logs repeat the contract's address, the event signature, the
 * custodian and actor topics and the terms, and most of their 32-byte words are zeros: a
 * `ConsentGranted` log of a 500-consent `batchGrant` took 352.6 bytes in RLP, 77.8 here.
 *
 * Layout (varint: unsigned LEB128 of at most 5 bytes):
 *
 * - value: `0x01`, varint receipt count, varint entry count, the entries, the receipts.
 * - entry (a value occurring more than once in the block's logs, where an entry and its
 *   references take fewer bytes than the value inline; most frequent first): varint m,
 *   then m ≤ 32: the low m bytes of a 32-byte word whose other bytes are zero; m > 32:
 *   m − 33 bytes as they are.
 * - receipt: varint body length, varint log count, then the body: a flags byte (1 status,
 *   2 a contract address follows, 4 the bloom is 256 zero bytes and not stored), varint
 *   type, varint length + tx hash, varint tx index, varint length + unpadded big-endian
 *   cumulative gas, gas used and effective gas price, [varint length + contract address],
 *   [varint length + bloom], the logs.
 * - log: address token (width 20), varint topic count, topic tokens (width 32), varint d,
 *   then d even: d/2 data words as tokens (width 32); d odd: (d − 1)/2 data bytes as they
 *   are.
 * - token in a position of width w: varint t; t even: table entry t/2; t odd, m = (t − 1)/2:
 *   m ≤ w: the low m bytes of a w-byte value whose other bytes are zero; m > w: m − w − 1
 *   bytes as they are.
 *
 * The body length and log count up front let a reader skip to one receipt and number its
 * logs without reading the others.
 *
 * @throws CustosError `INTERNAL` when a transaction type or index is not below 2^35.
 * @example
 * ```ts
 * const bytes = encodeCompactReceipts(receipts);
 * ```
 */
export function encodeCompactReceipts(receipts: readonly StoredReceipt[]): Uint8Array {
  const pool = poolOf(receipts);
  const { index, entries } = tableOf(pool);
  const out: ByteWriter = { buf: new Uint8Array(1024 + 16 * pool.occurred), pos: 0 };
  out.buf[out.pos++] = COMPACT_RECEIPTS_FORMAT;
  writeVarint(out, receipts.length);
  writeVarint(out, entries.length);
  for (const id of entries) writeEntry(out, pool, id);
  // Each body is written here first: its length precedes it.
  const body: ByteWriter = { buf: new Uint8Array(1024), pos: 0 };
  let next = 0;
  for (const receipt of receipts) {
    body.pos = 0;
    next = writeBody(body, receipt, pool, index, next);
    writeVarint(out, body.pos);
    writeVarint(out, receipt.logs.length);
    writeBytes(out, body.buf, 0, body.pos);
  }
  return out.buf.slice(0, out.pos);
}
