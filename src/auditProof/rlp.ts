/** An RLP item: a byte string or a list of items. */
export type RlpItem = Uint8Array | readonly RlpItem[];

/** Reads one item whose header starts at `pos` and which must end by `limit`. */
function readItem(bytes: Uint8Array, pos: number, limit: number): [RlpItem, number] | string {
  if (pos >= limit) return "an item is missing";
  const prefix = bytes[pos] as number;
  if (prefix < 0x80) return [bytes.subarray(pos, pos + 1), pos + 1];
  const list = prefix >= 0xc0;
  let length = prefix - (list ? 0xc0 : 0x80);
  let start = pos + 1;
  if (length > 55) {
    const lengthBytes = length - 55;
    if (lengthBytes > 4) return "a length is longer than 4 bytes";
    start = pos + 1 + lengthBytes;
    if (start > limit) return "an item runs past its enclosing item";
    if (bytes[pos + 1] === 0) return "a length has a leading zero byte";
    length = 0;
    for (let i = pos + 1; i < start; i++) length = length * 256 + (bytes[i] as number);
    if (length < 56) return "a long-form length is under 56";
  }
  const end = start + length;
  if (end > limit) return "an item runs past its enclosing item";
  if (!list) {
    if (length === 1 && (bytes[start] as number) < 0x80) {
      return "a single byte below 0x80 is written with a prefix";
    }
    return [bytes.subarray(start, end), end];
  }
  const items: RlpItem[] = [];
  let at = start;
  while (at < end) {
    const read = readItem(bytes, at, end);
    if (typeof read === "string") return read;
    items.push(read[0]);
    at = read[1];
  }
  return [items, end];
}

/**
 * Decodes `bytes` as exactly one canonical RLP item (a single byte below 0x80 is bare, a long
 * length has no leading zero and is 56 or more, a length takes at most 4 bytes, nothing
 * follows the item), so every accepted encoding is the only one of its item. Byte strings
 * are views into `bytes`. Returns why the bytes are not that, as a string, instead of
 * throwing: the caller names the proof link at fault.
 *
 * @example
 * ```ts
 * const item = decodeRlp(headerBytes);
 * if (typeof item === "string") fail(`the header is not RLP: ${item}`);
 * ```
 */
export function decodeRlp(bytes: Uint8Array): RlpItem | string {
  const read = readItem(bytes, 0, bytes.length);
  if (typeof read === "string") return read;
  if (read[1] !== bytes.length) return "bytes follow the item";
  return read[0];
}

function lengthPrefix(base: number, length: number): number[] {
  if (length < 56) return [base + length];
  const digits: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) digits.unshift(v % 256);
  return [base + 55 + digits.length, ...digits];
}

function encodedLength(item: RlpItem): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && (item[0] as number) < 0x80) return 1;
    return lengthPrefix(0x80, item.length).length + item.length;
  }
  let payload = 0;
  for (const child of item) payload += encodedLength(child);
  return lengthPrefix(0xc0, payload).length + payload;
}

function write(item: RlpItem, out: Uint8Array, pos: number): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && (item[0] as number) < 0x80) {
      out[pos] = item[0] as number;
      return pos + 1;
    }
    const prefix = lengthPrefix(0x80, item.length);
    out.set(prefix, pos);
    out.set(item, pos + prefix.length);
    return pos + prefix.length + item.length;
  }
  let payload = 0;
  for (const child of item) payload += encodedLength(child);
  const prefix = lengthPrefix(0xc0, payload);
  out.set(prefix, pos);
  let at = pos + prefix.length;
  for (const child of item) at = write(child, out, at);
  return at;
}

/**
 * The canonical RLP encoding of `item`: what {@link decodeRlp} reads back to the same item.
 *
 * @example
 * ```ts
 * encodeRlp([Uint8Array.of(1), []]); // 0xc201c0
 * ```
 */
export function encodeRlp(item: RlpItem): Uint8Array {
  const out = new Uint8Array(encodedLength(item));
  write(item, out, 0);
  return out;
}
