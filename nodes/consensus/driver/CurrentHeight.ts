import { blockPeriodWaitMs } from "./blockPeriodWaitMs.ts";
import type { ConsensusChainHead } from "./ConsensusChain.ts";

/**
 * The chain head the core's current height builds on, and when that height's round 0 was
 * due: the block-period wait and the commit latency are measured from it.
 *
 * @example
 * ```ts
 * const current = new CurrentHeight(1, head, timers.now());
 * current.roundZeroWaitMs(head.head.height + 1n, timers.now()); // ≤ 1000
 * ```
 */
export class CurrentHeight {
  readonly #periodSeconds: number;
  #chain: ConsensusChainHead;
  #dueAt: number;

  constructor(periodSeconds: number, chain: ConsensusChainHead, now: number) {
    this.#periodSeconds = periodSeconds;
    this.#chain = chain;
    this.#dueAt = now + blockPeriodWaitMs(chain.timestamp, periodSeconds, now);
  }

  /** The head the current height builds on. */
  get chain(): ConsensusChainHead {
    return this.#chain;
  }

  /** The height being decided. */
  get height(): bigint {
    return this.#chain.head.height + 1n;
  }

  /** When round 0 of the current height was due, ms since the epoch. */
  get dueAt(): number {
    return this.#dueAt;
  }

  /** The core started the height above `chain` at `now`. */
  enter(chain: ConsensusChainHead, now: number): void {
    this.#chain = chain;
    this.#dueAt = now + blockPeriodWaitMs(chain.timestamp, this.#periodSeconds, now);
  }

  /** What round 0 of `height` still waits for the block period at `now` (0 for another height). */
  roundZeroWaitMs(height: bigint, now: number): number {
    if (height !== this.height) return 0;
    return blockPeriodWaitMs(this.#chain.timestamp, this.#periodSeconds, now);
  }
}
