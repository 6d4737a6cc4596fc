import type { ConsensusTimers } from "./ConsensusTimers.ts";

/**
 * The wall clock and Node's timers.
 *
 * @example
 * ```ts
 * const driver = createQbftDriver(options, { ...ports, timers: systemConsensusTimers });
 * ```
 */
export const systemConsensusTimers: ConsensusTimers = Object.freeze({
  now: () => Date.now(),
  setTimeout(callback: () => void, delayMs: number) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
});
