/**
 * Which peer sent a recent message, by the message's hash: the core names a dropped message
 * by hash (a commit whose seal turns out bad, a proposal found invalid on execution, a
 * buffered future message), possibly long after it arrived, and the driver penalises its
 * sender. Bounded: the oldest entries go first; the first sender of a hash is kept (its copy
 * is the one the core processed; later copies are duplicates).
 *
 * @example
 * ```ts
 * senders.remember(keccak256(bytes), from);
 * const peer = senders.senderOf(effect.hash);
 * ```
 */
export class SenderMemory {
  readonly #capacity: number;
  readonly #senders = new Map<string, string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Remembers `from` as the sender of the message with `hash`, unless one is known. */
  remember(hash: Uint8Array, from: string): void {
    const key = Buffer.from(hash).toString("hex");
    if (this.#senders.has(key)) return;
    if (this.#senders.size >= this.#capacity) {
      const oldest = this.#senders.keys().next().value;
      if (oldest !== undefined) this.#senders.delete(oldest);
    }
    this.#senders.set(key, from);
  }

  /** The peer that sent the message with `hash`, if still remembered. */
  senderOf(hash: Uint8Array): string | undefined {
    return this.#senders.get(Buffer.from(hash).toString("hex"));
  }
}
