import type { ByteReader } from "./ByteReader.ts";
import { ByteWriter } from "./ByteWriter.ts";
import { wireError } from "./wireError.ts";

/**
 * Bytes a list adds to its items: a u32 count, and a u32 length per item.
 *
 * @example
 * ```ts
 * const budget = maxBytes - byteListOverhead(items.length);
 * ```
 */
export function byteListOverhead(count: number): number {
  return 4 + 4 * count;
}

/**
 * Encodes a list of non-empty byte strings: `u32 count ‖ (u32 length ‖ bytes)*`.
 *
 * @example
 * ```ts
 * const payload = encodeByteList([rawTx1, rawTx2]);
 * ```
 */
export function encodeByteList(items: readonly Uint8Array[], prefix?: Uint8Array): Uint8Array {
  const head = prefix ?? new Uint8Array(0);
  let size = head.length + byteListOverhead(items.length);
  for (const item of items) size += item.length;
  const writer = new ByteWriter(size);
  writer.bytes(head);
  writer.u32(items.length);
  for (const item of items) {
    writer.u32(item.length);
    writer.bytes(item);
  }
  return writer.done();
}

/**
 * Reads {@link encodeByteList}'s list from `reader`, strictly: the count cannot exceed what
 * the remaining bytes could hold (so a forged count allocates nothing), no item is empty, and
 * nothing may follow the last item.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` on a count or length that does not fit, an empty
 *   item, fewer than `minCount` items, or trailing bytes.
 * @example
 * ```ts
 * const txs = readByteList(new ByteReader(payload), 1);
 * ```
 */
export function readByteList(reader: ByteReader, minCount: number): Uint8Array[] {
  const count = reader.u32();
  if (count < minCount) throw wireError("bad-field", { field: "count", count, minCount });
  // Each item takes at least 5 bytes (length and one byte).
  if (count > Math.floor(reader.remaining / 5)) {
    throw wireError("truncated", { field: "count", count, remaining: reader.remaining });
  }
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.u32();
    if (length === 0) throw wireError("bad-field", { field: "item", index: i });
    items.push(reader.bytes(length));
  }
  reader.end();
  return items;
}
