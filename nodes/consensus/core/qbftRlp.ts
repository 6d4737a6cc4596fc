/**
 * The RLP the consensus messages need, written for hostile input. @ethereumjs/rlp decodes a
 * whole value up front and copies the remainder at every level of nesting, so a 16 MB
 * message of nested lists costs gigabytes of copying before anything can be rejected. Here
 * an item is only located (offsets into the input, nothing copied), the decoder walks the
 * shape it expects and stops at the first mismatch, lists are read with a cap on their
 * length, and only canonical encodings are accepted (no leading zeros, no long form for
 * short payloads, single bytes below 0x80 unprefixed), so a message has one encoding and its
 * hash names it. Encoding embeds already-encoded items (a block, a signed payload) as they
 * are. @ethereumjs/rlp serves the tests as an independent oracle.
 */

/** Where one RLP item lies in its input. */
export interface RlpSpan {
  readonly list: boolean;
  /** First byte of the item's header. */
  readonly from: number;
  /** First byte of the payload. */
  readonly start: number;
  /** One past the last byte of the item. */
  readonly end: number;
}

/** Payload lengths beyond 4 bytes of length (4 GiB) are never valid here. */
const MAX_LENGTH_OF_LENGTH = 4;

function readLength(bytes: Uint8Array, at: number, size: number): number | undefined {
  if (size > MAX_LENGTH_OF_LENGTH || bytes[at] === 0) return undefined;
  let length = 0;
  for (let i = at; i < at + size; i++) length = length * 256 + (bytes[i] as number);
  return length > 55 ? length : undefined;
}

/**
 * The canonical RLP item whose header starts at `pos` and which ends by `limit`, or
 * undefined when the header is malformed, not canonical or runs past `limit`.
 *
 * @example
 * ```ts
 * const span = readRlpSpan(bytes, 1, bytes.length);
 * ```
 */
export function readRlpSpan(bytes: Uint8Array, pos: number, limit: number): RlpSpan | undefined {
  if (pos >= limit) return undefined;
  const b = bytes[pos] as number;
  if (b < 0x80) return { list: false, from: pos, start: pos, end: pos + 1 };
  let list: boolean;
  let start: number;
  let length: number;
  if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
    list = b >= 0xc0;
    start = pos + 1;
    length = b - (list ? 0xc0 : 0x80);
    if (!list && length === 1 && start < limit && (bytes[start] as number) < 0x80) return undefined;
  } else {
    list = b > 0xf7;
    const size = b - (list ? 0xf7 : 0xb7);
    start = pos + 1 + size;
    if (start > limit) return undefined;
    const long = readLength(bytes, pos + 1, size);
    if (long === undefined) return undefined;
    length = long;
  }
  const end = start + length;
  return end > limit ? undefined : { list, from: pos, start, end };
}

/**
 * The single item that fills `bytes` from `from` to the end, or undefined.
 *
 * @example
 * ```ts
 * const message = readRlpRoot(bytes, 1); // after the one-byte message code
 * ```
 */
export function readRlpRoot(bytes: Uint8Array, from: number): RlpSpan | undefined {
  const span = readRlpSpan(bytes, from, bytes.length);
  return span !== undefined && span.end === bytes.length ? span : undefined;
}

/**
 * The items of the list `span`, or undefined when it is not a list, an item is malformed, or
 * it holds more than `max` items (reading stops there, so a huge list costs no more than
 * `max + 1` headers).
 *
 * @example
 * ```ts
 * const [payload, signature] = readRlpList(bytes, span, 2) ?? [];
 * ```
 */
export function readRlpList(bytes: Uint8Array, span: RlpSpan, max: number): RlpSpan[] | undefined {
  if (!span.list) return undefined;
  const items: RlpSpan[] = [];
  for (let pos = span.start; pos < span.end; ) {
    if (items.length === max) return undefined;
    const item = readRlpSpan(bytes, pos, span.end);
    if (item === undefined) return undefined;
    items.push(item);
    pos = item.end;
  }
  return items;
}

/**
 * The items of the list `span` when there are exactly `count` of them.
 *
 * @example
 * ```ts
 * const fields = readRlpTuple(bytes, span, 3); // [sequence, round, digest]
 * ```
 */
export function readRlpTuple(
  bytes: Uint8Array,
  span: RlpSpan,
  count: number,
): RlpSpan[] | undefined {
  const items = readRlpList(bytes, span, count);
  return items?.length === count ? items : undefined;
}

/**
 * A copy of the byte string `span`, or undefined when it is a list or not `length` long.
 *
 * @example
 * ```ts
 * const digest = readRlpBytes(bytes, span, 32);
 * ```
 */
export function readRlpBytes(
  bytes: Uint8Array,
  span: RlpSpan,
  length?: number,
): Uint8Array | undefined {
  if (span.list) return undefined;
  if (length !== undefined && span.end - span.start !== length) return undefined;
  return bytes.slice(span.start, span.end);
}

/**
 * The unsigned integer in `span`, minimally encoded (zero is the empty string, no leading
 * zero byte) in at most `maxBytes` bytes, or undefined.
 *
 * @example
 * ```ts
 * const sequence = readRlpUint(bytes, span, 8);
 * ```
 */
export function readRlpUint(
  bytes: Uint8Array,
  span: RlpSpan,
  maxBytes: number,
): bigint | undefined {
  if (span.list) return undefined;
  const length = span.end - span.start;
  if (length > maxBytes || (length > 0 && bytes[span.start] === 0)) return undefined;
  let value = 0n;
  for (let i = span.start; i < span.end; i++) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

/**
 * The raw encoding of the item `span` (a view into `bytes`, not a copy).
 *
 * @example
 * ```ts
 * const encodedBlock = rlpRaw(bytes, blockSpan);
 * ```
 */
export function rlpRaw(bytes: Uint8Array, span: RlpSpan): Uint8Array {
  return bytes.subarray(span.from, span.end);
}

/**
 * Whether the item `span` and everything nested in it is canonical RLP no deeper than
 * `maxDepth` lists: a linear walk with an explicit stack, run on a block before the block
 * codec sees it so that a decoder which recurses and copies per level (EthereumJS) never
 * meets a hostile nesting.
 *
 * @example
 * ```ts
 * if (!isShallowRlp(bytes, blockSpan, 16)) return "badBlock";
 * ```
 */
export function isShallowRlp(bytes: Uint8Array, span: RlpSpan, maxDepth: number): boolean {
  const outer: number[] = [];
  let pos = span.from;
  let limit = span.end;
  while (pos < span.end || outer.length > 0) {
    if (pos === limit) {
      limit = outer.pop() as number;
      continue;
    }
    const item = readRlpSpan(bytes, pos, limit);
    if (item === undefined) return false;
    if (item.list) {
      if (outer.length === maxDepth) return false;
      outer.push(limit);
      limit = item.end;
      pos = item.start;
    } else {
      pos = item.end;
    }
  }
  return true;
}

function header(length: number, offset: number): Uint8Array {
  if (length <= 55) return Uint8Array.of(offset + length);
  const size: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) size.unshift(v & 255);
  return Uint8Array.of(offset + 55 + size.length, ...size);
}

/**
 * RLP of a byte string.
 *
 * @example
 * ```ts
 * encodeRlpBytes(digest); // 0xa0 ‖ digest
 * ```
 */
export function encodeRlpBytes(value: Uint8Array): Uint8Array {
  if (value.length === 1 && (value[0] as number) < 0x80) return value.slice();
  const head = header(value.length, 0x80);
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}

/**
 * RLP of an unsigned integer in its minimal big-endian form (zero is `0x80`), as Besu's
 * `writeLongScalar`/`writeIntScalar` write sequence and round.
 *
 * @example
 * ```ts
 * encodeRlpUint(0n); // Uint8Array [0x80]
 * ```
 */
export function encodeRlpUint(value: bigint | number): Uint8Array {
  const digits: number[] = [];
  for (let v = BigInt(value); v > 0n; v >>= 8n) digits.unshift(Number(v & 255n));
  return encodeRlpBytes(Uint8Array.from(digits));
}

/**
 * RLP of a list whose items are already encoded (embedded byte for byte).
 *
 * @example
 * ```ts
 * encodeRlpList([encodeRlpUint(1n), encodeRlpUint(0n)]); // Uint8Array [0xc2, 0x01, 0x80]
 * ```
 */
export function encodeRlpList(items: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const item of items) length += item.length;
  const head = header(length, 0xc0);
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const item of items) {
    out.set(item, at);
    at += item.length;
  }
  return out;
}
