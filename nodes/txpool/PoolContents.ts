import type { PoolEntry } from "./PoolEntry.ts";
import type { SenderQueue } from "./SenderQueue.ts";
import type {
  AccountState,
  CommitResult,
  SenderTransactions,
  TxPoolContent,
  TxPoolStats,
} from "./TxPool.ts";

/**
 * The pool's transactions, by hash and by sender, with the counts its limits apply to
 * (pending, queued, bytes). Every change goes through these methods so the counts and each
 * sender's pending run stay consistent; which transactions may enter is decided elsewhere
 * (TxAdmission).
 *
 * @example
 * ```ts
 * const contents = new PoolContents();
 * contents.insert(queue, entry);
 * contents.refresh(queue); // hashes promoted to pending
 * ```
 */
export class PoolContents {
  readonly #byHash = new Map<string, PoolEntry>();
  readonly #senders = new Map<string, SenderQueue>();
  #pendingCount = 0;
  #queuedCount = 0;
  #totalBytes = 0;
  #seq = 0;

  /** Pooled transactions. */
  get size(): number {
    return this.#byHash.size;
  }

  /** Queued (future-nonce) transactions. */
  get queuedCount(): number {
    return this.#queuedCount;
  }

  /** Encoded bytes of all pooled transactions. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** The entry with this hash (lower-case 0x hex). */
  entry(hashHex: string): PoolEntry | undefined {
    return this.#byHash.get(hashHex);
  }

  /** Whether a transaction with this hash (lower-case 0x hex) is pooled. */
  has(hashHex: string): boolean {
    return this.#byHash.has(hashHex);
  }

  /** A sender's queue by its lower-case 0x hex address, while it has pooled transactions. */
  queue(senderHex: string): SenderQueue | undefined {
    return this.#senders.get(senderHex);
  }

  /** Every sender's queue. */
  queues(): IterableIterator<SenderQueue> {
    return this.#senders.values();
  }

  /** The next admission sequence number (the tie-breaker between equal prices). */
  nextSeq(): number {
    return this.#seq++;
  }

  /** Adds a queued entry to `queue`, which becomes the pool's queue of its sender. */
  insert(queue: SenderQueue, entry: PoolEntry): void {
    this.#byHash.set(entry.hashHex, entry);
    queue.set(entry);
    this.#totalBytes += entry.size;
    this.#queuedCount++;
    this.#senders.set(queue.key, queue);
  }

  /** Removes an entry (the caller refreshes the queue afterwards). */
  remove(queue: SenderQueue, entry: PoolEntry): void {
    this.#byHash.delete(entry.hashHex);
    queue.delete(entry.nonce);
    this.#totalBytes -= entry.size;
    if (entry.pending) this.#pendingCount--;
    else this.#queuedCount--;
  }

  /**
   * Recomputes a sender's pending run and forgets an emptied queue; returns the hashes
   * newly promoted to pending.
   */
  refresh(queue: SenderQueue): Uint8Array[] {
    const promoted: Uint8Array[] = [];
    for (const entry of queue.refreshPending()) {
      if (entry.pending) {
        this.#pendingCount++;
        this.#queuedCount--;
        promoted.push(entry.hash);
      } else {
        this.#pendingCount--;
        this.#queuedCount++;
      }
    }
    if (queue.size === 0) this.#senders.delete(queue.key);
    return promoted;
  }

  /** Removes `from` and every later nonce of its sender (the caller refreshes the queue). */
  removeSuffix(queue: SenderQueue, from: bigint): Uint8Array[] {
    const removed: Uint8Array[] = [];
    for (const entry of queue.sorted()) {
      if (entry.nonce >= from) {
        this.remove(queue, entry);
        removed.push(entry.hash);
      }
    }
    return removed;
  }

  /**
   * Applies a fresh account state to a sender's queue: drops the nonces it used and, from
   * the first the balance cannot cover, the rest. Ignored when older than what is known:
   * account nonces never decrease on a final chain.
   */
  reconcile(queue: SenderQueue, state: AccountState): CommitResult {
    if (state.nonce < queue.stateNonce) return { included: [], dropped: [], promoted: [] };
    queue.stateNonce = state.nonce;
    queue.balance = state.balance;
    const included: Uint8Array[] = [];
    let spent = 0n;
    let unaffordableFrom: bigint | undefined;
    for (const entry of queue.sorted()) {
      if (entry.nonce < state.nonce) {
        this.remove(queue, entry);
        included.push(entry.hash);
        continue;
      }
      spent += entry.cost;
      if (spent > state.balance) {
        unaffordableFrom = entry.nonce;
        break;
      }
    }
    const dropped =
      unaffordableFrom === undefined ? [] : this.removeSuffix(queue, unaffordableFrom);
    return { included, dropped, promoted: this.refresh(queue) };
  }

  /**
   * Removes queued transactions added more than `lifetimeMs` before `now`, with their
   * sender's later nonces; returns the removed hashes.
   */
  evictExpired(now: number, lifetimeMs: number): Uint8Array[] {
    const removed: Uint8Array[] = [];
    for (const queue of [...this.#senders.values()]) {
      const expired = queue.sorted().find((e) => !e.pending && now - e.addedAt > lifetimeMs);
      if (expired === undefined) continue;
      removed.push(...this.removeSuffix(queue, expired.nonce));
      this.refresh(queue);
    }
    return removed;
  }

  /** Counts of the contents. */
  stats(): TxPoolStats {
    return {
      pending: this.#pendingCount,
      queued: this.#queuedCount,
      bytes: this.#totalBytes,
      senders: this.#senders.size,
    };
  }

  /** Every pooled transaction grouped by sender, pending runs apart from queued ones. */
  content(): TxPoolContent {
    const pending: SenderTransactions[] = [];
    const queued: SenderTransactions[] = [];
    for (const queue of this.#senders.values()) {
      const sorted = queue.sorted();
      const run = sorted.filter((e) => e.pending).map((e) => e.tx);
      const waiting = sorted.filter((e) => !e.pending).map((e) => e.tx);
      if (run.length > 0) pending.push({ sender: queue.address, txs: run });
      if (waiting.length > 0) queued.push({ sender: queue.address, txs: waiting });
    }
    return { pending, queued };
  }
}
