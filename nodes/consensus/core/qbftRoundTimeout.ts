/** How long a round lasts before the core moves on. */
export interface QbftRoundTimeoutSettings {
  /** Round 0's timeout in milliseconds. */
  readonly baseMs: number;
  /** Cap on the doubling: no round lasts longer than `baseMs × maxFactor`. */
  readonly maxFactor: number;
  /**
   * Timeout of a round whose proposer let its last round time out without a proposal (as
   * this node saw it), when shorter than the usual one: a validator that is down then costs
   * the network this much each time its turn comes, not a full timeout. Its next proposal,
   * even a late one, restores the usual timeout.
   */
  readonly absentProposerMs: number;
}

/**
 * Default round timeouts: 2 s doubling per round up to 16 s; 500 ms for an absent proposer.
 *
 * @example
 * ```ts
 * qbftRoundTimeoutMs(5, { ...defaultQbftRoundTimeout, baseMs: 1_000 }); // 8000
 * ```
 */
export const defaultQbftRoundTimeout: QbftRoundTimeoutSettings = Object.freeze({
  baseMs: 2_000,
  maxFactor: 8,
  absentProposerMs: 500,
});

/**
 * The timeout of `round`: base × min(2^round, maxFactor). Besu's
 * `BftRoundExpiryTimeCalculator` doubles without a cap (round 11 waits 2^11 × base: the
 * 4,096 s of besu#7642), so a network that lost quorum for a while needs an hour to come
 * back; capped, a healed network is at most one capped timeout from its next round.
 *
 * @example
 * ```ts
 * qbftRoundTimeoutMs(0, defaultQbftRoundTimeout); // 2000
 * qbftRoundTimeoutMs(30, defaultQbftRoundTimeout); // 16000
 * ```
 */
export function qbftRoundTimeoutMs(
  round: number,
  settings: Pick<QbftRoundTimeoutSettings, "baseMs" | "maxFactor">,
): number {
  return settings.baseMs * Math.min(2 ** Math.min(round, 52), settings.maxFactor);
}
