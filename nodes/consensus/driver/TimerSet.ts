import type { ConsensusTimer, ConsensusTimers } from "./ConsensusTimers.ts";

const NO_TIMER: ConsensusTimer = Object.freeze({ cancel() {} });

/**
 * The driver's live timers, so that `stop()` cancels every one of them and none is set
 * after it: the round timer, a proposer's block-period wait, retries.
 *
 * @example
 * ```ts
 * const timers = new TimerSet(ports.timers);
 * timers.after(500, () => retry());
 * timers.close(); // cancels it; later `after` calls set nothing
 * ```
 */
export class TimerSet {
  readonly #timers: ConsensusTimers;
  readonly #live = new Set<ConsensusTimer>();
  #closed = false;

  constructor(timers: ConsensusTimers) {
    this.#timers = timers;
  }

  /** Timers set and not yet fired or cancelled. */
  get size(): number {
    return this.#live.size;
  }

  /** Calls `callback` after `delayMs` unless cancelled or closed first. */
  after(delayMs: number, callback: () => void): ConsensusTimer {
    if (this.#closed) return NO_TIMER;
    let handle: ConsensusTimer | undefined;
    const timer: ConsensusTimer = {
      cancel: () => {
        if (this.#live.delete(timer)) handle?.cancel();
      },
    };
    this.#live.add(timer);
    handle = this.#timers.setTimeout(() => {
      if (this.#live.delete(timer)) callback();
    }, delayMs);
    return timer;
  }

  /** Cancels every live timer; from now on `after` sets nothing. */
  close(): void {
    this.#closed = true;
    for (const timer of [...this.#live]) timer.cancel();
  }
}
