/** One RLP item found in its input: a byte string or a list, and where its payload lies. */
export interface RlpSpan {
  readonly list: boolean;
  /** First byte of the payload. */
  readonly start: number;
  /** One past the payload's last byte: where the next item starts. */
  readonly end: number;
}

/**
 * The item whose header starts at `pos` and which must end by `limit`, or a reason why the
 * bytes there are not one canonical RLP item. Canonical as Besu's `BytesValueRLPInput`
 * insists: a single byte below 0x80 is written bare, a long length has no leading zero and
 * is 56 or more, and a length takes at most 4 bytes.
 *
 * @example
 * ```ts
 * const span = readCanonicalRlp(bytes, 0, bytes.length);
 * if (typeof span === "string") throw new Error(span);
 * ```
 */
export function readCanonicalRlp(bytes: Uint8Array, pos: number, limit: number): RlpSpan | string {
  if (pos >= limit) return "is missing";
  const prefix = bytes[pos] as number;
  if (prefix < 0x80) return { list: false, start: pos, end: pos + 1 };
  const list = prefix >= 0xc0;
  const base = list ? 0xc0 : 0x80;
  let start = pos + 1;
  let length = prefix - base;
  if (length > 55) {
    const lengthBytes = length - 55;
    if (lengthBytes > 4) return "has a length longer than 4 bytes";
    start = pos + 1 + lengthBytes;
    if (start > limit) return "runs past its enclosing item";
    if (bytes[pos + 1] === 0) return "has a length with a leading zero byte";
    length = 0;
    for (let i = pos + 1; i < start; i++) length = length * 256 + (bytes[i] as number);
    if (length < 56) return "has a long-form length under 56";
  }
  const end = start + length;
  if (end > limit) return "runs past its enclosing item";
  if (!list && length === 1 && (bytes[start] as number) < 0x80) {
    return "is a single byte below 0x80 written with a prefix";
  }
  return { list, start, end };
}
