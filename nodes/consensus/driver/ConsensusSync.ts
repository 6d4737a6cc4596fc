/**
 * The sync port: block sync from peers. The node wiring implements it with nodes/network's
 * sync protocol (`requestHeaders` / `requestBlocks`), seal verification (nodes/chain) and
 * the chain port's atomic import, one block at a time in order.
 *
 * The driver calls it when the core says `behind` (f + 1 validators are at a higher height),
 * which includes a restart whose signing record is ahead of the chain (its storage lost
 * blocks: it must not vote before it has them back). When the promise settles the driver
 * reads the chain port's head and feeds it to the core; while the head is still below the
 * target it tries again after the driver's `retryMs`.
 *
 * @example
 * ```ts
 * const sync: ConsensusSync = {
 *   syncTo: (height, signal) => blockSync.catchUp({ to: height, signal }),
 * };
 * ```
 */
export interface ConsensusSync {
  /**
   * Imports verified blocks from peers until the chain's head is at `height` or above, or
   * until no peer serves more; resolves then (the driver checks the head). Rejects on
   * failure; settles promptly once `signal` aborts.
   */
  syncTo(height: bigint, signal: AbortSignal): Promise<void>;
}
