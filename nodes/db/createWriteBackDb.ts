import type { BatchDBOp, EncodingOpts } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import type { StateDb, TrieDb } from "./createLevelTrieDb.ts";
import type { NodeCache } from "./createNodeCache.ts";
import { trieKeyBytes, trieValueBytes, trieValueOut } from "./trieDbCodec.ts";

/** One buffered state write: a trie node or contract code, by its (unprefixed) key. */
export interface StateWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/**
 * A trie DB that buffers one block's writes in memory. Reads see the buffered writes first,
 * then the shared node cache, then storage. Nothing reaches storage until the block's writes
 * are handed to `commitBlock`; `discard()` drops them (an aborted or invalid block).
 */
export interface WriteBackDb extends TrieDb {
  /**
   * Synchronous read (buffer, node cache, then the base's `getSync`), by EthereumJS's
   * unprefixed-hex key. Throws `INTERNAL` when the base has no `getSync` and the key is
   * neither buffered nor cached.
   */
  getSync(key: string): Uint8Array | undefined;
  /** The buffered writes, in insertion order. */
  writes(): readonly StateWrite[];
  /** Moves the buffered writes into the node cache, after `commitBlock` stored them. */
  committed(): void;
  /** Drops the buffered writes. */
  discard(): void;
}

/**
 * Creates a write-back layer over the state keyspace.
 *
 * Deletes are ignored on purpose: nodes are content-addressed and shared between roots, and
 * the node serves state at every committed block, so nothing is ever removed.
 *
 * @example
 * ```ts
 * const db = createWriteBackDb(chainDb.trieDb, cache);
 * const trie = new MerklePatriciaTrie({ db, root, useKeyHashing: true });
 * // ... execute ...
 * await chainDb.commitBlock({ block, receipts, stateWrites: db.writes() });
 * db.committed();
 * ```
 */
export function createWriteBackDb(base: TrieDb, cache?: NodeCache): WriteBackDb {
  // Buffered by a string: EthereumJS's CheckpointDB passes unprefixed-hex string keys, so the
  // hot path encodes nothing; byte keys go through latin1, which names the same stored key as
  // a string key for ASCII keys (all EthereumJS uses). The key is encoded once, in writes().
  let buffer = new Map<string, { key: string | Uint8Array; value: Uint8Array }>();
  const keyString = (key: string | Uint8Array) =>
    typeof key === "string"
      ? key
      : Buffer.from(key.buffer, key.byteOffset, key.length).toString("latin1");
  const put = (key: string | Uint8Array, value: string | Uint8Array) => {
    buffer.set(keyString(key), { key, value: trieValueBytes(value) });
  };
  const syncBase = "getSync" in base ? (base as StateDb) : undefined;
  const db: WriteBackDb = {
    getSync(key: string) {
      const buffered = buffer.get(key);
      if (buffered !== undefined) return buffered.value;
      const cached = cache?.get(key);
      if (cached !== undefined) return cached;
      if (syncBase === undefined) {
        throw new CustosError("INTERNAL", "the write-back layer's base has no synchronous read");
      }
      const stored = syncBase.getSync(key);
      if (stored !== undefined) cache?.set(key, stored);
      return stored;
    },
    async get(key: string, opts?: EncodingOpts) {
      const k = keyString(key);
      const buffered = buffer.get(k);
      if (buffered !== undefined) return trieValueOut(buffered.value, opts);
      const cached = cache?.get(k);
      if (cached !== undefined) return trieValueOut(cached, opts);
      const stored = await base.get(key, { ...opts, valueEncoding: "view" });
      if (stored === undefined) return undefined;
      const value = trieValueBytes(stored);
      cache?.set(k, value);
      return trieValueOut(value, opts);
    },
    async put(key: string, value: string | Uint8Array) {
      put(key, value);
    },
    async del() {},
    async batch(ops: BatchDBOp<string, string | Uint8Array>[]) {
      for (const op of ops) if (op.type === "put") put(op.key, op.value);
    },
    shallowCopy() {
      return db;
    },
    async open() {},
    writes() {
      return Array.from(buffer.values(), ({ key, value }) => ({ key: trieKeyBytes(key), value }));
    },
    committed() {
      if (cache !== undefined) for (const [k, { value }] of buffer) cache.set(k, value);
      buffer = new Map();
    },
    discard() {
      buffer = new Map();
    },
  };
  return db;
}
