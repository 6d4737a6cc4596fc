import type { ConsentEventSource } from "./ConsentEventSource.ts";
import type { SyncTimers } from "./ConsentIndexSync.ts";

/** What {@link followChain} runs and when. */
export interface FollowChainOptions {
  /** Its new-block notifications (if any) wake the loop early. */
  readonly source: Pick<ConsentEventSource, "onBlock">;
  readonly timers: SyncTimers;
  /** Milliseconds between passes once caught up. */
  readonly pollIntervalMs: number;
  /** First retry delay after a failure (ms); doubles per consecutive failure. */
  readonly retryInitialMs: number;
  /** Longest retry delay (ms). */
  readonly retryMaxMs: number;
  /** Ends the loop (and a sleep in progress). */
  readonly signal: AbortSignal;
  /** One pass; rejects when it fails. */
  readonly pass: (signal: AbortSignal) => Promise<unknown>;
  /** Consecutive failed passes, as counted by `pass`. */
  readonly failures: () => number;
  /** Told of each failed pass (not once `signal` aborted) before the retry delay. */
  readonly onFailure: (error: unknown, retryInMs: number) => void;
}

/**
 * Runs sync passes until `signal` aborts: after a pass that worked, the next one starts on
 * the source's next block notification or after `pollIntervalMs`, whichever comes first;
 * after a failure, after an exponential backoff that block notifications do not cut short.
 * Resolves once stopped; never rejects.
 *
 * @example
 * ```ts
 * const loop = followChain({ source, timers, pollIntervalMs: 5_000, retryInitialMs: 500,
 *   retryMaxMs: 30_000, signal, pass, failures: () => failures, onFailure: report });
 * ```
 */
export async function followChain(options: FollowChainOptions): Promise<void> {
  const { signal, timers } = options;
  let wake: (() => void) | null = null;
  /** A block arrived while no sleep was waiting: the next wakeable sleep returns at once. */
  let woken = false;

  function sleep(ms: number, wakeable: boolean): Promise<void> {
    if (wakeable && woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let handle: unknown;
      const done = () => {
        timers.clearTimeout(handle);
        signal.removeEventListener("abort", done);
        wake = null;
        resolve();
      };
      handle = timers.setTimeout(done, ms);
      signal.addEventListener("abort", done);
      wake = wakeable ? done : null;
    });
  }

  let unsubscribe: (() => void) | undefined;
  try {
    unsubscribe = options.source.onBlock?.(() => {
      woken = true;
      if (wake !== null) {
        woken = false;
        wake();
      }
    });
  } catch {
    // Without a subscription the sync polls.
  }
  try {
    while (!signal.aborted) {
      let delay = options.pollIntervalMs;
      try {
        await options.pass(signal);
      } catch (error) {
        if (signal.aborted) break;
        const failures = options.failures();
        delay = Math.min(
          options.retryMaxMs,
          options.retryInitialMs * 2 ** Math.min(failures - 1, 30),
        );
        options.onFailure(error, delay);
      }
      await sleep(delay, options.failures() === 0);
    }
  } finally {
    try {
      unsubscribe?.();
    } catch {
      // Unsubscribing is best effort on shutdown.
    }
  }
}
