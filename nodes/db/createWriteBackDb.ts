import type { BatchDBOp, EncodingOpts } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import type { StateDb, TrieDb } from "./createLevelTrieDb.ts";
import type { NodeCache } from "./createNodeCache.ts";
import { trieKeyBytes, trieKeyHex, trieValueBytes, trieValueOut } from "./trieDbCodec.ts";

/** One buffered state write: a trie node or contract code, by its (unprefixed) key. */
export interface StateWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /**
   * The key as EthereumJS's hex, when the writer has it: the chain database's state layer is
   * keyed by it, and each conversion costs (decision 015, "Measured at scale").
   */
  readonly hex?: string;
}

/**
 * A trie DB that buffers one block's writes in memory. Reads see the buffered writes first,
 * then the shared node cache, then storage. Nothing reaches storage until the block's writes
 * are handed to `commitBlock`; `discard()` drops them (an aborted or invalid block).
 *
 * Besides writes, it collects the stored nodes the block no longer references
 * ({@link WriteBackDb.drop}), which the chain database prunes.
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
  /**
   * Marks a stored node (by its hex key) as no longer referenced by this block's state.
   * EthereumJS's `del` stays a no-op: only our trie update knows a node is unreferenced.
   */
  drop(key: string): void;
  /**
   * The keys of the dropped nodes that were not written again: a node both written and
   * dropped is kept (a kept unreferenced node is garbage; a deleted referenced one would be
   * a hole in the state).
   */
  deletes(): readonly Uint8Array[];
  /** Moves the buffered writes into the node cache, after `commitBlock` stored them. */
  committed(): void;
  /** Drops the buffered writes. */
  discard(): void;
}

/**
 * Creates a write-back layer over the state keyspace.
 *
 * EthereumJS's deletes are ignored: its trie deletes a node's key when it rewrites the node,
 * which says nothing about other roots still using it. Pruning goes through `drop`, fed by
 * our trie update's exact list of nodes the new root no longer references.
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
  // hot path encodes nothing; byte keys (EthereumJS's code keys) go through hex, which names
  // the same stored key. The key is decoded to bytes once, in writes().
  let buffer = new Map<string, { key: string | Uint8Array; value: Uint8Array }>();
  const keyString = trieKeyHex;
  let dropped = new Set<string>();
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
      return Array.from(buffer, ([hex, { key, value }]) => ({
        key: trieKeyBytes(key),
        value,
        hex,
      }));
    },
    drop(key) {
      dropped.add(key);
    },
    deletes() {
      const keys: Uint8Array[] = [];
      for (const key of dropped) if (!buffer.has(key)) keys.push(trieKeyBytes(key));
      return keys;
    },
    committed() {
      if (cache !== undefined) for (const [k, { value }] of buffer) cache.set(k, value);
      buffer = new Map();
      dropped = new Set();
    },
    discard() {
      buffer = new Map();
      dropped = new Set();
    },
  };
  return db;
}
