import { setTimeout as delay } from "node:timers/promises";

/** Time as the node's schedulers see it; injected so tests control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds (at once for `ms <= 0`), or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The wall clock and real timers.
 *
 * @example
 * ```ts
 * await systemClock.sleep(1000, controller.signal);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    if (ms <= 0 || signal?.aborted === true) return;
    try {
      await delay(ms, undefined, signal === undefined ? {} : { signal });
    } catch (error) {
      if (!(error instanceof Error && error.name === "AbortError")) throw error;
    }
  },
};
