/**
 * The f + 1 round-skip rule: given the rounds that validators have asked for in round
 * changes (each validator's highest, at this height), the round to jump to, or undefined.
 *
 * It is the Dafny spec's `UponRoundChange` (second branch): when round changes for rounds
 * above the current one come from at least f + 1 distinct validators, pick a set Frc of
 * f + 1 of them and move to the lowest round in Frc. The spec leaves the choice of Frc open;
 * this takes the f + 1 validators asking for the highest rounds, so the target is the
 * (f + 1)-th highest asked round: the highest round that f + 1 validators — at least one of
 * them honest — are at or beyond. Besu's `futureRCQuorumReceived` takes the lowest over all
 * validators above the current round, another admissible Frc; the one here reaches a
 * quorum's round in fewer hops after a partition heals.
 *
 * @example
 * ```ts
 * qbftRoundSkipTarget(2, [5, 7, 1], 1); // 5: two validators (f + 1) are at 5 or beyond
 * qbftRoundSkipTarget(2, [5, 1, 1], 1); // undefined: only one above round 2
 * ```
 */
export function qbftRoundSkipTarget(
  currentRound: number,
  askedRounds: readonly number[],
  maxFaulty: number,
): number | undefined {
  const higher = askedRounds.filter((round) => round > currentRound).sort((a, b) => b - a);
  return higher.length >= maxFaulty + 1 ? higher[maxFaulty] : undefined;
}
