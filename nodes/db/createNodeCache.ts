/** A bounded cache of committed state-trie nodes and code, keyed by their storage key. */
export interface NodeCache {
  /** The cached value, or undefined. */
  get(key: string): Uint8Array | undefined;
  /** Adds a value, evicting the least recently used entries beyond the bound. */
  set(key: string, value: Uint8Array): void;
  /** Number of entries. */
  readonly size: number;
}

/**
 * Creates an LRU cache for state-trie nodes. Trie nodes and code are content-addressed (the
 * key is the hash of the value) and never pruned, so an entry can never go stale: the cache
 * needs no invalidation across blocks. It must only hold COMMITTED entries (see
 * {@link createWriteBackDb}).
 *
 * @example
 * ```ts
 * const cache = createNodeCache(500_000);
 * ```
 */
export function createNodeCache(maxEntries: number): NodeCache {
  const map = new Map<string, Uint8Array>();
  return {
    get(key) {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      if (map.size > maxEntries) {
        const excess = map.size - maxEntries;
        let i = 0;
        for (const oldest of map.keys()) {
          if (i++ >= excess) break;
          map.delete(oldest);
        }
      }
    },
    get size() {
      return map.size;
    },
  };
}
