/**
 * The chain database's fixed keyspaces: one leading byte per keyspace, so every record of a
 * block (and its state-trie writes) can go into ONE level batch, and range scans stay inside
 * their keyspace.
 */
export const keyspaces = {
  /** block hash → RLP header (parent lookups without decoding the transactions) */
  header: 0x68, // "h"
  /** block hash → RLP block (header, transactions, uncles, withdrawals) */
  block: 0x62, // "b"
  /** block number (8 bytes, big-endian) → block hash */
  canonical: 0x6e, // "n"
  /** block hash → RLP list of stored receipts */
  receipts: 0x72, // "r"
  /** tx hash → block hash (32) ‖ block number (8) ‖ tx index (4) */
  txIndex: 0x78, // "x"
  /** "a" ‖ address (20) ‖ block number (8) → number of matching logs (4) */
  logByAddress: 0x61, // "a"
  /** "t" ‖ topic (32) ‖ block number (8) → number of matching logs (4) */
  logByTopic: 0x74, // "t"
  /** trie node hash or "c" ‖ code hash → node or code (content-addressed, never overwritten) */
  state: 0x73, // "s"
  /** keccak(address) → account RLP at the flat head (see FlatState) */
  flatAccount: 0x66, // "f"
  /** keccak(address) ‖ keccak(slot) → slot value at the flat head (no leading zeros) */
  flatStorage: 0x67, // "g"
  /**
   * sequence (8 bytes) → state keys, each behind its length: persisted nodes a recent block no
   * longer uses, kept for the retained states and deleted later; what a restart deletes at
   * once (databases before chunk records held one record per node: state key → block number)
   */
  droppedState: 0x64, // "d"
  /** "m" ‖ name → metadata (the head pointer, the flat head pointer, the block-hash rule) */
  meta: 0x6d, // "m"
} as const;

/** One keyspace's leading byte. */
export type Keyspace = (typeof keyspaces)[keyof typeof keyspaces];

/** The meta key holding the head block's hash. */
export const HEAD_KEY: Uint8Array = Uint8Array.of(
  keyspaces.meta,
  ...new TextEncoder().encode("head"),
);

/** The meta key holding the hash of the block whose state the flat keyspaces hold. */
export const FLAT_HEAD_KEY: Uint8Array = Uint8Array.of(
  keyspaces.meta,
  ...new TextEncoder().encode("flat"),
);

/**
 * The meta key naming the block whose state the state keyspace holds in full: number (8
 * bytes, big-endian) ‖ hash. Written with each persisted state layer (see
 * `ChainDbOptions.statePersistBlocks`); a database whose blocks lack it stored its state
 * under the layout before pruning.
 */
export const STATE_KEY: Uint8Array = Uint8Array.of(
  keyspaces.meta,
  ...new TextEncoder().encode("state"),
);

/**
 * The meta key holding the name of the block-hash rule the database was written under
 * (`BlockHashRule.name`, UTF-8), written in every block's batch beside the head pointer; a
 * database without it predates the rules.
 */
export const HASH_RULE_KEY: Uint8Array = Uint8Array.of(
  keyspaces.meta,
  ...new TextEncoder().encode("hashRule"),
);

/**
 * Builds a key: the keyspace byte followed by the parts.
 *
 * @example
 * ```ts
 * const key = keyOf(keyspaces.block, blockHash);
 * ```
 */
export function keyOf(space: Keyspace, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 1;
  for (const part of parts) length += part.length;
  const key = new Uint8Array(length);
  key[0] = space;
  let offset = 1;
  for (const part of parts) {
    key.set(part, offset);
    offset += part.length;
  }
  return key;
}

/**
 * A block number as 8 big-endian bytes, so keys sort by number.
 *
 * @example
 * ```ts
 * uint64Bytes(1n); // Uint8Array [0,0,0,0,0,0,0,1]
 * ```
 */
export function uint64Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value);
  return bytes;
}

/**
 * Reads 8 big-endian bytes at `offset` as a block number.
 *
 * @example
 * ```ts
 * readUint64(uint64Bytes(7n), 0); // 7n
 * ```
 */
export function readUint64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
}
