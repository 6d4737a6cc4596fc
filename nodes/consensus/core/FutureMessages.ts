import type { QbftReceived } from "./QbftReceived.ts";

/** Limits of the future-height buffer. */
export interface FutureMessageLimits {
  /** Distinct future heights held. */
  readonly heights: number;
  /** Messages held per future height. */
  readonly perHeight: number;
  /** Wire bytes held in all. */
  readonly bytes: number;
}

/**
 * Messages for heights above the current one, held until the chain reaches them (a validator
 * a block behind its peers must not lose their proposal). Bounded three ways; when a bound
 * is exceeded the victim is chosen deterministically: the highest height goes first (it
 * matters last), and within a height the newest message of the author holding the most —
 * so one validator flooding a height evicts its own messages, not the others'.
 *
 * @example
 * ```ts
 * for (const victim of future.add(received)) drop(victim === received ? "futureBufferFull" : "evicted");
 * ```
 */
export class FutureMessages {
  readonly #limits: FutureMessageLimits;
  readonly #byHeight = new Map<bigint, QbftReceived[]>();
  #bytes = 0;
  #count = 0;

  constructor(limits: FutureMessageLimits) {
    this.#limits = limits;
  }

  /** Messages held. */
  get count(): number {
    return this.#count;
  }

  /** Buffered heights, highest first, each with its messages in arrival order. */
  heightsDescending(): [bigint, readonly QbftReceived[]][] {
    return [...this.#byHeight].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
  }

  /** Holds `entry`; returns the messages that had to go (possibly `entry` itself). */
  add(entry: QbftReceived): QbftReceived[] {
    const height = entry.message.signed.payload.height;
    const bucket = this.#byHeight.get(height) ?? [];
    this.#byHeight.set(height, bucket);
    bucket.push(entry);
    this.#bytes += entry.bytes.length;
    this.#count++;
    const victims: QbftReceived[] = [];
    while (bucket.length > this.#limits.perHeight) victims.push(this.#evictFrom(height, bucket));
    while (this.#byHeight.size > this.#limits.heights) {
      const [highest, messages] = this.heightsDescending()[0] as [bigint, QbftReceived[]];
      this.#byHeight.delete(highest);
      for (const message of messages) {
        this.#bytes -= message.bytes.length;
        this.#count--;
        victims.push(message);
      }
    }
    while (this.#bytes > this.#limits.bytes) {
      const [highest, messages] = this.heightsDescending()[0] as [bigint, QbftReceived[]];
      victims.push(this.#evictFrom(highest, messages as QbftReceived[]));
    }
    return victims;
  }

  /** Removes and returns the messages of `height`, and forgets every height at or below it. */
  take(height: bigint): QbftReceived[] {
    const taken = this.#byHeight.get(height) ?? [];
    for (const [held, messages] of [...this.#byHeight]) {
      if (held > height) continue;
      this.#byHeight.delete(held);
      for (const message of messages) {
        this.#bytes -= message.bytes.length;
        this.#count--;
      }
    }
    return taken;
  }

  #evictFrom(height: bigint, bucket: QbftReceived[]): QbftReceived {
    const counts = new Map<string, number>();
    for (const message of bucket) {
      counts.set(message.authorKey, (counts.get(message.authorKey) ?? 0) + 1);
    }
    let top = "";
    let most = 0;
    for (const [author, count] of counts) {
      if (count > most || (count === most && author > top)) {
        top = author;
        most = count;
      }
    }
    let index = bucket.length - 1;
    while ((bucket[index] as QbftReceived).authorKey !== top) index--;
    const [victim] = bucket.splice(index, 1) as [QbftReceived];
    if (bucket.length === 0) this.#byHeight.delete(height);
    this.#bytes -= victim.bytes.length;
    this.#count--;
    return victim;
  }
}
