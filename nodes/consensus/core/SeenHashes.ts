/**
 * The hashes of the last `capacity` messages received, oldest forgotten first: duplicates
 * (re-sends, a peer relaying what another sent) are dropped by the hash of their bytes
 * before any signature recovery.
 *
 * @example
 * ```ts
 * const seen = new SeenHashes(16_384);
 * if (!seen.add(key)) drop("duplicate");
 * ```
 */
export class SeenHashes {
  readonly #capacity: number;
  readonly #keys = new Set<string>();
  readonly #order: string[] = [];
  #oldest = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Number of hashes held. */
  get size(): number {
    return this.#keys.size;
  }

  /** Whether `key` was seen (and not yet forgotten). */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Remembers `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.#keys.has(key)) return false;
    if (this.#order.length < this.#capacity) {
      this.#order.push(key);
    } else {
      this.#keys.delete(this.#order[this.#oldest] as string);
      this.#order[this.#oldest] = key;
      this.#oldest = (this.#oldest + 1) % this.#capacity;
    }
    this.#keys.add(key);
    return true;
  }
}
