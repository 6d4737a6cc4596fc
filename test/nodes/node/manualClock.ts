import type { Clock } from "../../../nodes/node/index.ts";

/** A clock the test moves: sleeps resolve when `advance` passes their deadline. */
export interface ManualClock extends Clock {
  /** Moves time forward and wakes every sleeper whose deadline has passed. */
  advance(ms: number): void;
  /** Sleepers currently waiting. */
  sleepers(): number;
}

/**
 * Creates a {@link ManualClock} starting at `start` ms since the epoch.
 *
 * @example
 * ```ts
 * const clock = createManualClock(1_700_000_000_000);
 * clock.advance(1000);
 * ```
 */
export function createManualClock(start: number): ManualClock {
  let now = start;
  const waiting = new Set<{ until: number; wake: () => void }>();
  return {
    now: () => now,
    sleep(ms, signal) {
      if (ms <= 0 || signal?.aborted === true) return Promise.resolve();
      return new Promise((resolve) => {
        const sleeper = {
          until: now + ms,
          wake: () => {
            waiting.delete(sleeper);
            resolve();
          },
        };
        waiting.add(sleeper);
        signal?.addEventListener("abort", sleeper.wake, { once: true });
      });
    },
    advance(ms) {
      now += ms;
      for (const sleeper of [...waiting]) if (sleeper.until <= now) sleeper.wake();
    },
    sleepers: () => waiting.size,
  };
}
