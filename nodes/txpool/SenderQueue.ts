import type { PoolEntry } from "./PoolEntry.ts";

/**
 * One sender's pooled transactions by nonce, with the account nonce and balance last read
 * from state. Pending entries are the contiguous run `stateNonce, stateNonce + 1, ...`; the
 * rest are queued behind a nonce gap. Per-sender counts are small (bounded by the
 * per-sender limit), so linear walks are cheaper than maintaining sorted structures.
 *
 * @example
 * ```ts
 * const queue = new SenderQueue(address, "0xab…", 0n, 10n ** 18n);
 * queue.set(entry);
 * queue.refreshPending(); // entries whose pending flag changed
 * ```
 */
export class SenderQueue {
  /** Sender address. */
  readonly address: Uint8Array;
  /** Lower-case 0x hex of the address. */
  readonly key: string;
  /** Account nonce at the last state read. */
  stateNonce: bigint;
  /** Account balance at the last state read. */
  balance: bigint;
  readonly #byNonce = new Map<bigint, PoolEntry>();
  #pendingEnd: bigint;

  constructor(address: Uint8Array, key: string, stateNonce: bigint, balance: bigint) {
    this.address = address;
    this.key = key;
    this.stateNonce = stateNonce;
    this.balance = balance;
    this.#pendingEnd = stateNonce;
  }

  /** Number of pooled transactions of this sender. */
  get size(): number {
    return this.#byNonce.size;
  }

  /** The nonce after the last pending transaction (the sender's "pending nonce"). */
  get pendingEnd(): bigint {
    return this.#pendingEnd;
  }

  /** The entry at a nonce. */
  get(nonce: bigint): PoolEntry | undefined {
    return this.#byNonce.get(nonce);
  }

  /** Stores an entry at its nonce, replacing any previous one. */
  set(entry: PoolEntry): void {
    this.#byNonce.set(entry.nonce, entry);
  }

  /** Removes the entry at a nonce. */
  delete(nonce: bigint): void {
    this.#byNonce.delete(nonce);
  }

  /** All entries in ascending nonce order. */
  sorted(): PoolEntry[] {
    return [...this.#byNonce.values()].sort((a, b) => (a.nonce < b.nonce ? -1 : 1));
  }

  /** Pending entries in ascending nonce order. */
  pendingEntries(): PoolEntry[] {
    const out: PoolEntry[] = [];
    for (let nonce = this.stateNonce; nonce < this.#pendingEnd; nonce++) {
      const entry = this.#byNonce.get(nonce);
      if (entry === undefined) break;
      out.push(entry);
    }
    return out;
  }

  /** Sum of the costs of all entries except the one at `exceptNonce`. */
  totalCost(exceptNonce?: bigint): bigint {
    let total = 0n;
    for (const entry of this.#byNonce.values()) {
      if (entry.nonce !== exceptNonce) total += entry.cost;
    }
    return total;
  }

  /**
   * Recomputes the contiguous pending run and each entry's `pending` flag.
   *
   * @returns the entries whose flag changed (promoted to or demoted from pending).
   */
  refreshPending(): PoolEntry[] {
    let end = this.stateNonce;
    while (this.#byNonce.has(end)) end++;
    this.#pendingEnd = end;
    const changed: PoolEntry[] = [];
    for (const entry of this.#byNonce.values()) {
      const pending = entry.nonce >= this.stateNonce && entry.nonce < end;
      if (pending !== entry.pending) {
        entry.pending = pending;
        changed.push(entry);
      }
    }
    return changed;
  }
}
