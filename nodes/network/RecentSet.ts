/**
 * A set that remembers only its `capacity` most recently added keys (the oldest is forgotten
 * first): bounded memory for "seen" and "peer knows" bookkeeping.
 *
 * @example
 * ```ts
 * const seen = new RecentSet<string>(32_768);
 * if (seen.add(key)) deliver(tx); // first time
 * ```
 */
export class RecentSet<K> {
  readonly #capacity: number;
  readonly #keys = new Set<K>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#keys.size;
  }

  has(key: K): boolean {
    return this.#keys.has(key);
  }

  /** Adds `key`; returns false when it was already there (its age is then unchanged). */
  add(key: K): boolean {
    if (this.#keys.has(key)) return false;
    if (this.#keys.size >= this.#capacity) {
      const oldest = this.#keys.values().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
    this.#keys.add(key);
    return true;
  }
}
