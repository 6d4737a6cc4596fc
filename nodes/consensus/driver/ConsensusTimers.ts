/** A scheduled callback that has not fired yet. */
export interface ConsensusTimer {
  /** Stops it from firing; nothing when it already fired or was cancelled. */
  cancel(): void;
}

/**
 * Time and timers as the driver sees them, injected so that tests and the simulator run the
 * driver on a manual clock, and so that nothing in the driver reads the wall clock directly.
 * The node passes {@link systemConsensusTimers}.
 *
 * @example
 * ```ts
 * const timer = timers.setTimeout(() => queue.push(timeout), delayMs);
 * timer.cancel();
 * ```
 */
export interface ConsensusTimers {
  /** Milliseconds since the Unix epoch (compared with block timestamps). */
  now(): number;
  /** Calls `callback` once after `delayMs` (at the next turn for `delayMs <= 0`). */
  setTimeout(callback: () => void, delayMs: number): ConsensusTimer;
}
