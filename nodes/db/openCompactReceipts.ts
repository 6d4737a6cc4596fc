import { CustosError } from "../../src/errors/index.ts";

/**
 * First byte of a compact receipts value (layout in `encodeCompactReceipts`). A value of the
 * older format is one RLP list, whose first byte is 0xc0 or above, so the two are told apart
 * by that byte alone.
 */
export const COMPACT_RECEIPTS_FORMAT = 0x01;
/** Width of a log's address: an inline address is stored without its leading zero bytes. */
export const ADDRESS_WIDTH = 20;
/** Width of a topic and of a data word, stored without leading zero bytes like addresses. */
export const WORD_WIDTH = 32;
/** Length of a logs bloom, the only length the zero-bloom flag stands for. */
export const BLOOM_LENGTH = 256;
/** Receipt flag: status 1. */
export const STATUS_FLAG = 1;
/** Receipt flag: a contract address follows the gas fields. */
export const CONTRACT_FLAG = 2;
/** Receipt flag: the bloom is 256 zero bytes and not stored (a receipt without logs). */
export const ZERO_BLOOM_FLAG = 4;
/** Varints are at most 5 bytes (below 2^35): every count, length and index fits. */
export const MAX_VARINT = 2 ** 35;

/**
 * A position in a compact receipts value, with the limit reads must stay within, and the
 * last value a token or table entry named: where its stored bytes are, how many, and the
 * width they are padded to with leading zeros (0: stored as is). Fields, not a returned
 * object, so that walking a block's logs allocates nothing.
 */
export interface CompactCursor {
  readonly bytes: Uint8Array;
  /** Hex key of the record, named in `CHAIN_DB_CORRUPT` errors. */
  readonly key: string;
  pos: number;
  end: number;
  /** Table index of the last token read, or -1 for a value stored inline. */
  ref: number;
  at: number;
  length: number;
  width: number;
}

/**
 * The block's table of repeated values: entry i's stored bytes start at `slots[3i]`, are
 * `slots[3i + 1]` long and padded to `slots[3i + 2]` bytes (0: as is).
 */
export interface CompactTable {
  readonly count: number;
  readonly slots: Int32Array;
}

/** A compact receipts value opened at its first receipt. */
export interface OpenedCompactReceipts {
  readonly cursor: CompactCursor;
  readonly receiptCount: number;
  readonly table: CompactTable;
}

/**
 * The `CHAIN_DB_CORRUPT` error of a malformed receipts value.
 *
 * @example
 * ```ts
 * throw corruptReceipts(cursor.key);
 * ```
 */
export function corruptReceipts(key: string): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", "stored receipts are malformed", {
    details: { keyspace: "receipts", key },
  });
}

/**
 * Reads an unsigned LEB128 varint of at most 5 bytes.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when it runs past the cursor's limit or is longer.
 * @example
 * ```ts
 * const count = readVarint(cursor);
 * ```
 */
export function readVarint(c: CompactCursor): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5 && c.pos < c.end; i++) {
    const b = c.bytes[c.pos++] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
  throw corruptReceipts(c.key);
}

/**
 * Reads a varint counting items of at least one byte each, so a count the remaining bytes
 * cannot hold is refused before anything is allocated for it.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the count exceeds the bytes left.
 * @example
 * ```ts
 * const logCount = readCount(cursor);
 * ```
 */
export function readCount(c: CompactCursor): number {
  const count = readVarint(c);
  if (count > c.end - c.pos) throw corruptReceipts(c.key);
  return count;
}

/**
 * Moves past `length` bytes and returns where they start.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when they run past the cursor's limit.
 * @example
 * ```ts
 * const hashAt = skipBytes(cursor, readVarint(cursor));
 * ```
 */
export function skipBytes(c: CompactCursor, length: number): number {
  if (length > c.end - c.pos) throw corruptReceipts(c.key);
  const at = c.pos;
  c.pos += length;
  return at;
}

/** Reads an inline value whose header says `m`: m ≤ width bytes of a padded value, or raw. */
function readInline(c: CompactCursor, m: number, width: number): void {
  c.ref = -1;
  if (m <= width) {
    c.width = width;
    c.length = m;
  } else {
    c.width = 0;
    c.length = m - width - 1;
  }
  c.at = skipBytes(c, c.length);
}

/**
 * Reads a value token in a position of `width` (20 for an address, 32 for a topic or data
 * word): a table reference or an inline value, left in the cursor's `ref`, `at`, `length`
 * and `width`.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the token or its bytes are out of bounds.
 * @example
 * ```ts
 * readToken(cursor, table, ADDRESS_WIDTH);
 * ```
 */
export function readToken(c: CompactCursor, table: CompactTable, width: number): void {
  const t = readVarint(c);
  if (t % 2 === 1) readInline(c, (t - 1) / 2, width);
  else pointAtEntry(c, table, t / 2);
}

/**
 * Points the cursor's value at table entry `ref`.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the table has no such entry.
 * @example
 * ```ts
 * pointAtEntry(cursor, table, 0);
 * ```
 */
export function pointAtEntry(c: CompactCursor, table: CompactTable, ref: number): void {
  if (ref >= table.count) throw corruptReceipts(c.key);
  c.ref = ref;
  c.at = table.slots[3 * ref] as number;
  c.length = table.slots[3 * ref + 1] as number;
  c.width = table.slots[3 * ref + 2] as number;
}

/**
 * Whether the value the cursor's last token named is `wanted`, compared in place.
 *
 * @example
 * ```ts
 * if (valueIs(cursor, subject)) found++;
 * ```
 */
export function valueIs(c: CompactCursor, wanted: Uint8Array): boolean {
  const { bytes, at, length, width } = c;
  const pad = width === 0 ? 0 : width - length;
  if (wanted.length !== length + pad) return false;
  for (let i = 0; i < pad; i++) if (wanted[i] !== 0) return false;
  for (let i = 0; i < length; i++) if (wanted[pad + i] !== bytes[at + i]) return false;
  return true;
}

/** Length of the value the cursor's last token named. */
export function valueLength(c: CompactCursor): number {
  return c.width === 0 ? c.length : c.width;
}

/**
 * Writes the value the cursor's last token named into `out` at `offset` (which must have
 * room for it and be zeroed where its padding goes).
 *
 * @example
 * ```ts
 * const out = new Uint8Array(valueLength(cursor));
 * writeValue(cursor, out, 0);
 * ```
 */
export function writeValue(c: CompactCursor, out: Uint8Array, offset: number): void {
  const to = offset + (c.width === 0 ? 0 : c.width - c.length);
  // A loop for the short values of a log: a subarray per value costs more.
  if (c.length > 64) out.set(c.bytes.subarray(c.at, c.at + c.length), to);
  else for (let i = 0; i < c.length; i++) out[to + i] = c.bytes[c.at + i] as number;
}

/**
 * Opens a compact receipts value: checks its format byte, reads the receipt count and the
 * table of repeated values, and leaves the cursor at the first receipt.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the header or the table is malformed.
 * @example
 * ```ts
 * const { cursor, receiptCount, table } = openCompactReceipts(bytes, "0x72…");
 * ```
 */
export function openCompactReceipts(bytes: Uint8Array, key: string): OpenedCompactReceipts {
  const cursor: CompactCursor = {
    bytes,
    key,
    pos: 1,
    end: bytes.length,
    ref: -1,
    at: 0,
    length: 0,
    width: 0,
  };
  if (bytes[0] !== COMPACT_RECEIPTS_FORMAT) throw corruptReceipts(key);
  const receiptCount = readCount(cursor);
  const count = readCount(cursor);
  const slots = new Int32Array(3 * count);
  for (let i = 0; i < count; i++) {
    readInline(cursor, readVarint(cursor), WORD_WIDTH);
    slots[3 * i] = cursor.at;
    slots[3 * i + 1] = cursor.length;
    slots[3 * i + 2] = cursor.width;
  }
  return { cursor, receiptCount, table: { count, slots } };
}

/** Where one receipt's body lies and how many logs it holds. */
export interface CompactReceiptSpan {
  readonly logCount: number;
  /** One past its last byte. */
  readonly end: number;
}

/**
 * Reads the next receipt's length and log count, leaving the cursor at its body.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the body runs past the value.
 * @example
 * ```ts
 * const { logCount, end } = readReceiptSpan(cursor);
 * cursor.pos = end;
 * ```
 */
export function readReceiptSpan(c: CompactCursor): CompactReceiptSpan {
  const length = readVarint(c);
  const logCount = readCount(c);
  if (length > c.end - c.pos) throw corruptReceipts(c.key);
  return { logCount, end: c.pos + length };
}

/** The fixed fields of a receipt, as positions in the value. */
export interface CompactReceiptHead {
  readonly flags: number;
  readonly txType: number;
  readonly txHashAt: number;
  readonly txHashLength: number;
  readonly txIndex: number;
  readonly cumulativeGasUsedAt: number;
  readonly cumulativeGasUsedLength: number;
  readonly gasUsedAt: number;
  readonly gasUsedLength: number;
  readonly effectiveGasPriceAt: number;
  readonly effectiveGasPriceLength: number;
  /** -1 without a contract address. */
  readonly contractAddressAt: number;
  readonly contractAddressLength: number;
  /** -1 for the zero bloom. */
  readonly bloomAt: number;
  readonly bloomLength: number;
}

/**
 * Reads a receipt's fields before its logs, leaving the cursor at its first log (the
 * cursor's limit must be the receipt's end).
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when a field is out of bounds or a flag unknown.
 * @example
 * ```ts
 * const head = readReceiptHead(cursor);
 * ```
 */
export function readReceiptHead(c: CompactCursor): CompactReceiptHead {
  const flags = c.bytes[skipBytes(c, 1)] as number;
  if (flags > (STATUS_FLAG | CONTRACT_FLAG | ZERO_BLOOM_FLAG)) throw corruptReceipts(c.key);
  const txType = readVarint(c);
  const txHashLength = readVarint(c);
  const txHashAt = skipBytes(c, txHashLength);
  const txIndex = readVarint(c);
  const cumulativeGasUsedLength = readVarint(c);
  const cumulativeGasUsedAt = skipBytes(c, cumulativeGasUsedLength);
  const gasUsedLength = readVarint(c);
  const gasUsedAt = skipBytes(c, gasUsedLength);
  const effectiveGasPriceLength = readVarint(c);
  const effectiveGasPriceAt = skipBytes(c, effectiveGasPriceLength);
  const contractAddressLength = flags & CONTRACT_FLAG ? readVarint(c) : 0;
  const contractAddressAt = flags & CONTRACT_FLAG ? skipBytes(c, contractAddressLength) : -1;
  const bloomLength = flags & ZERO_BLOOM_FLAG ? BLOOM_LENGTH : readVarint(c);
  const bloomAt = flags & ZERO_BLOOM_FLAG ? -1 : skipBytes(c, bloomLength);
  return {
    flags,
    txType,
    txHashAt,
    txHashLength,
    txIndex,
    cumulativeGasUsedAt,
    cumulativeGasUsedLength,
    gasUsedAt,
    gasUsedLength,
    effectiveGasPriceAt,
    effectiveGasPriceLength,
    contractAddressAt,
    contractAddressLength,
    bloomAt,
    bloomLength,
  };
}
