import { hexToBytes } from "@ethereumjs/util";

/**
 * The audit index's keyspaces: one leading byte each, then fixed-width big-endian parts, so
 * keys sort in chain or time order and a range scan stays in its keyspace. Entries are
 * stored once (`entry`); the other lists hold only keys that end in an entry's position
 * (block 8 bytes ‖ log index 4 bytes), read back with one `getMany`. Values are UTF-8 JSON.
 */
export const auditKeyspaces = {
  /** block (8) ‖ log index (4) → entry JSON: every entry, in chain order. */
  entry: 0x65, // "e"
  /** query id (8) ‖ block (8) ‖ log index (4) → empty: a query's trail. */
  queryEntry: 0x71, // "q"
  /** query id (8) → query summary JSON. */
  querySummary: 0x73, // "s"
  /** submission time (8) ‖ query id (8) → empty: queries by time. */
  queryByTime: 0x54, // "T"
  /** researcher address (20) ‖ submission time (8) ‖ query id (8) → empty. */
  queryByResearcher: 0x52, // "R"
  /** researcher organisation (4) ‖ submission time (8) ‖ query id (8) → empty. */
  queryByOrg: 0x4f, // "O"
  /** target hospital (4) ‖ submission time (8) ‖ query id (8) → empty, once per target. */
  queryByHospital: 0x48, // "H"
  /** DUO purpose bit (4) ‖ submission time (8) ‖ query id (8) → empty. */
  queryByPurpose: 0x50, // "P"
  /** custodian (4) ‖ subject pseudonym (32) ‖ block (8) ‖ log index (4) → empty: a record's history. */
  subjectEntry: 0x63, // "c"
  /** researcher organisation (4) ‖ hospital (4) → ε budget JSON. */
  budget: 0x62, // "b"
  /** UTC day (4, days since 1970-01-01) ‖ custodian (4) → consent counts JSON. */
  consentDay: 0x64, // "d"
  /** block (8) ‖ log index (4) → empty: governance entries. */
  governance: 0x67, // "g"
  /** "m" ‖ name → metadata: "head" (block 8 ‖ hash 32, the last indexed block), "version". */
  meta: 0x6d, // "m"
} as const;

/** One audit keyspace's leading byte. */
export type AuditKeyspace = (typeof auditKeyspaces)[keyof typeof auditKeyspaces];

/**
 * Version of the layout above, stored under `m‖version`: an index of another version is
 * cleared and rebuilt from the chain when opened.
 */
export const AUDIT_INDEX_VERSION = 1;

/** The meta key of the last indexed block. */
export const AUDIT_HEAD_KEY: Uint8Array = Uint8Array.of(
  auditKeyspaces.meta,
  ...new TextEncoder().encode("head"),
);

/** The meta key of the layout version. */
export const AUDIT_VERSION_KEY: Uint8Array = Uint8Array.of(
  auditKeyspaces.meta,
  ...new TextEncoder().encode("version"),
);

/** A key part: bytes, or an unsigned integer of `width` bytes. */
export type KeyPart = Uint8Array | { readonly uint: number | bigint; readonly width: 4 | 8 };

/**
 * Builds an audit key: the keyspace byte followed by the parts, integers big-endian.
 *
 * @example
 * ```ts
 * auditKey(auditKeyspaces.entry, { uint: 12, width: 8 }, { uint: 0, width: 4 });
 * ```
 */
export function auditKey(space: AuditKeyspace, ...parts: readonly KeyPart[]): Uint8Array {
  let length = 1;
  for (const part of parts) length += part instanceof Uint8Array ? part.length : part.width;
  const key = new Uint8Array(length);
  const view = new DataView(key.buffer);
  key[0] = space;
  let offset = 1;
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      key.set(part, offset);
      offset += part.length;
    } else if (part.width === 8) {
      view.setBigUint64(offset, BigInt(part.uint));
      offset += 8;
    } else {
      view.setUint32(offset, Number(part.uint));
      offset += 4;
    }
  }
  return key;
}

/**
 * A block number (or query id, or time) as an 8-byte key part.
 *
 * @example
 * ```ts
 * auditKey(auditKeyspaces.governance, blockPart(12), u32Part(0));
 * ```
 */
export const blockPart = (n: number | bigint): KeyPart => ({ uint: n, width: 8 });
/**
 * A 4-byte key part (organisation ids, log indexes, purpose bits, days).
 *
 * @example
 * ```ts
 * auditKey(auditKeyspaces.budget, u32Part(6), u32Part(1));
 * ```
 */
export const u32Part = (n: number): KeyPart => ({ uint: n, width: 4 });
/**
 * A hex string (address, pseudonym) as a key part.
 *
 * @example
 * ```ts
 * auditKey(auditKeyspaces.subjectEntry, u32Part(1), hexPart(subject));
 * ```
 */
export const hexPart = (hex: string): Uint8Array => hexToBytes(hex as `0x${string}`);

/**
 * Reads a big-endian unsigned integer of 4 or 8 bytes at `offset`.
 *
 * @example
 * ```ts
 * readKeyUint(key, 1, 8); // the block of an entry key
 * ```
 */
export function readKeyUint(key: Uint8Array, offset: number, width: 4 | 8): bigint {
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return width === 8 ? view.getBigUint64(offset) : BigInt(view.getUint32(offset));
}

/**
 * The upper bound of a prefix scan: the prefix followed by `width` 0xff bytes.
 *
 * @example
 * ```ts
 * level.keys({ gte: prefix, lte: prefixEnd(prefix, 12) });
 * ```
 */
export function prefixEnd(prefix: Uint8Array, width: number): Uint8Array {
  const end = new Uint8Array(prefix.length + width);
  end.set(prefix);
  end.fill(0xff, prefix.length);
  return end;
}
