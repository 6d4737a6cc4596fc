import { CustosError } from "../../src/errors/index.ts";

/** A decoded RLP value: a byte string (a view into the input) or a list. */
export type RlpValue = Uint8Array | RlpValue[];

/** Where one RLP item's payload lies in its input. */
export interface RlpItem {
  readonly list: boolean;
  /** First byte of the payload. */
  readonly start: number;
  /** One past the last byte of the item (and of its payload). */
  readonly end: number;
}

/** The stored record being read, named in a `CHAIN_DB_CORRUPT` error. */
export interface RlpSource {
  readonly keyspace: string;
  readonly key: string;
}

function malformed(source: RlpSource): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", `stored ${source.keyspace} record is not valid RLP`, {
    details: { keyspace: source.keyspace, key: source.key },
  });
}

/**
 * The RLP item whose header starts at `pos` and which must end by `limit`, without reading
 * its payload.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the header or the length runs past `limit`.
 * @example
 * ```ts
 * const outer = rlpItemAt(bytes, 0, bytes.length, { keyspace: "receipts", key });
 * ```
 */
export function rlpItemAt(
  bytes: Uint8Array,
  pos: number,
  limit: number,
  source: RlpSource,
): RlpItem {
  if (pos >= limit) throw malformed(source);
  const b = bytes[pos] as number;
  if (b < 0x80) return { list: false, start: pos, end: pos + 1 };
  let list = false;
  let start: number;
  let length: number;
  if (b <= 0xb7) {
    start = pos + 1;
    length = b - 0x80;
  } else if (b < 0xc0 || b > 0xf7) {
    list = b >= 0xc0;
    start = pos + 1 + (b - (list ? 0xf7 : 0xb7));
    if (start > limit) throw malformed(source);
    length = 0;
    for (let i = pos + 1; i < start; i++) length = length * 256 + (bytes[i] as number);
  } else {
    list = true;
    start = pos + 1;
    length = b - 0xc0;
  }
  const end = start + length;
  if (end > limit) throw malformed(source);
  return { list, start, end };
}

/**
 * The items of the list `item`, read from their headers only.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when `item` is not a list or a child runs past it.
 * @example
 * ```ts
 * const receipts = rlpChildren(bytes, rlpItemAt(bytes, 0, bytes.length, source), source);
 * ```
 */
export function rlpChildren(bytes: Uint8Array, item: RlpItem, source: RlpSource): RlpItem[] {
  if (!item.list) throw malformed(source);
  const children: RlpItem[] = [];
  for (let pos = item.start; pos < item.end; ) {
    const child = rlpItemAt(bytes, pos, item.end, source);
    children.push(child);
    pos = child.end;
  }
  return children;
}

/**
 * Decodes one item of `bytes` (found by {@link rlpItemAt} or {@link rlpChildren}); byte
 * strings are views into `bytes`.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when a nested item runs past its list.
 * @example
 * ```ts
 * const third = decodeRlpItem(bytes, rlpChildren(bytes, outer, source)[2], source);
 * ```
 */
export function decodeRlpItem(bytes: Uint8Array, item: RlpItem, source: RlpSource): RlpValue {
  if (!item.list) return bytes.subarray(item.start, item.end);
  return rlpChildren(bytes, item, source).map((child) => decodeRlpItem(bytes, child, source));
}

/**
 * Decodes one RLP value that fills `bytes` exactly. Byte strings are views into `bytes` (no
 * copy): @ethereumjs/rlp copies every list and string, which made a block's receipts
 * (~5,000 logs, 1.7 MB) take ~80 ms to decode; this walk is linear and copies nothing.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not exactly one RLP value.
 * @example
 * ```ts
 * const value = decodeRlp(bytes, { keyspace: "receipts", key: "0x72…" });
 * ```
 */
export function decodeRlp(bytes: Uint8Array, source: RlpSource): RlpValue {
  const item = rlpItemAt(bytes, 0, bytes.length, source);
  if (item.end !== bytes.length) throw malformed(source);
  return decodeRlpItem(bytes, item, source);
}
