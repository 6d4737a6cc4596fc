import { decodeCompactReceipts, readCompactReceipt } from "./decodeCompactReceipts.ts";
import { decodeRlpStoredReceipts, readRlpStoredReceipt } from "./decodeRlpStoredReceipts.ts";
import { encodeCompactReceipts } from "./encodeCompactReceipts.ts";
import { COMPACT_RECEIPTS_FORMAT, corruptReceipts } from "./openCompactReceipts.ts";
import type { LocatedReceipt, StoredReceipt } from "./StoredReceiptTypes.ts";

export type { LocatedReceipt, StoredReceipt } from "./StoredReceiptTypes.ts";

/**
 * Encodes a block's receipts as the value of the receipts keyspace, in the compact format
 * (`encodeCompactReceipts`).
 *
 * @throws CustosError `INTERNAL` when a transaction type or index is not below 2^35.
 * @example
 * ```ts
 * const bytes = encodeStoredReceipts(receipts);
 * ```
 */
export function encodeStoredReceipts(receipts: readonly StoredReceipt[]): Uint8Array {
  return encodeCompactReceipts(receipts);
}

/**
 * Whether a receipts value is in the compact format (`true`) or the older RLP list
 * (`false`), which databases written before it hold and which is still read.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when its first byte starts neither.
 * @example
 * ```ts
 * const logs = isCompactReceipts(bytes, key) ? scanCompact() : scanRlp();
 * ```
 */
export function isCompactReceipts(bytes: Uint8Array, key: string): boolean {
  const first = bytes[0];
  if (first === COMPACT_RECEIPTS_FORMAT) return true;
  if (first !== undefined && first >= 0xc0) return false;
  throw corruptReceipts(key);
}

/**
 * Decodes what {@link encodeStoredReceipts} wrote, or a value of the older RLP format.
 * Raw values are views of `bytes`; values that were stored without their leading zeros are
 * new arrays.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts value; `key`
 * (hex) is only used to name the record in the error.
 * @example
 * ```ts
 * const receipts = decodeStoredReceipts(bytes, "0x…");
 * ```
 */
export function decodeStoredReceipts(bytes: Uint8Array, key: string): StoredReceipt[] {
  return isCompactReceipts(bytes, key)
    ? decodeCompactReceipts(bytes, key)
    : decodeRlpStoredReceipts(bytes, key);
}

/**
 * The receipt at `index` of a block's stored receipts, decoding only that one: the earlier
 * receipts' logs are counted, not decoded (a receipt poll on a block of ten 500-consent
 * batches read the other nine for nothing).
 *
 * @returns undefined when the block has no receipt at `index`.
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts value.
 * @example
 * ```ts
 * const located = readStoredReceipt(bytes, "0x72…", 3);
 * ```
 */
export function readStoredReceipt(
  bytes: Uint8Array,
  key: string,
  index: number,
): LocatedReceipt | undefined {
  return isCompactReceipts(bytes, key)
    ? readCompactReceipt(bytes, key, index)
    : readRlpStoredReceipt(bytes, key, index);
}
