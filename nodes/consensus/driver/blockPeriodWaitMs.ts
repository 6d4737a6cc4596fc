/**
 * How long the driver holds back round 0 of the height above a block stamped
 * `parentTimestamp` (seconds), at `nowMs`: until the block period has passed since the
 * parent, never more than one period.
 *
 * The policy: the core starts round 0's timer at `newChainHead`, while Besu's `BlockTimer`
 * starts the round only once the parent's timestamp + block period is reached. So the driver
 * (1) starts the proposer's round-0 `buildBlock` only after this wait, which keeps blocks one
 * period apart however fast the network decides, and (2) adds the same wait to every
 * validator's round-0 timer, so the full base timeout is left for building, executing and
 * voting — with a 1 s period and a 2 s base timeout, round 0 lasts 3 s from the parent's
 * import, not 2 s of which the proposer sleeps 1. Validators agree on the wait because they
 * read it from the same parent timestamp. Later rounds start at once: their proposer has
 * already waited out the period. The cap of one period keeps a parent stamped in the future
 * (a proposer whose clock runs ahead) from stalling the next height for longer than one
 * period.
 *
 * @example
 * ```ts
 * blockPeriodWaitMs(1_700_000_000n, 1, 1_700_000_000_400); // 600
 * blockPeriodWaitMs(1_700_000_000n, 1, 1_700_000_005_000); // 0
 * ```
 */
export function blockPeriodWaitMs(
  parentTimestamp: bigint,
  periodSeconds: number,
  nowMs: number,
): number {
  const periodMs = periodSeconds * 1000;
  const dueMs = Number(parentTimestamp) * 1000 + periodMs;
  return Math.min(Math.max(0, dueMs - nowMs), periodMs);
}
