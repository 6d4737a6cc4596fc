/** A map that holds at most a fixed number of entries, dropping the least recently used. */
export interface BoundedCache<V> {
  /** The value of `key`, which becomes the most recently used; undefined when absent. */
  get(key: string): V | undefined;
  /** Stores `value` under `key`, dropping the least recently used entry when full. */
  set(key: string, value: V): void;
  /** How many entries it holds. */
  readonly size: number;
  clear(): void;
}

/**
 * A {@link BoundedCache} of up to `capacity` entries (0: it holds nothing), so a
 * long-running verifier (a dashboard checking many proofs) keeps its memory bounded.
 *
 * @example
 * ```ts
 * const addresses = createBoundedCache<string>(1024);
 * addresses.set(key, address);
 * ```
 */
export function createBoundedCache<V>(capacity: number): BoundedCache<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the oldest first.
  const entries = new Map<string, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      if (capacity <= 0) return;
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
