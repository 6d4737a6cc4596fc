import { qbftMaxFaulty, qbftRoundTimeoutMs } from "../core/index.ts";
import type { SimTimings } from "./SimTimings.ts";

/**
 * The liveness bound the simulator holds the cores to: once faults healed, with at most f
 * validators faulty, every non-Byzantine node imports its next block within
 * (f + 3) × T + P + S of the heal or of its previous block, where T = baseMs × maxFactor is
 * the longest a round lasts (the capped timeout), P the block period and S what it takes a
 * lagging node to hear a peer's head (a status heartbeat and its latency) and sync. For 4
 * validators with the defaults: 4 × 16 + 1 + 2.24 = 67.24 s; for 7: 83.24 s. Why:
 *
 * - T: every validator's timer fires within T of the heal, and each expiry re-sends its round
 *   change (or sends a new one) over a network that now delivers within 40 ms; a node behind
 *   in height hears a peer's head within S and syncs.
 * - T: the highest round an honest validator holds is at most one above a round a quorum
 *   (so f + 1 honest validators) reached, since a validator leaves a round above 0 only once
 *   it knows a quorum there; the f + 1 round-skip rule lifts every honest validator below
 *   that round at once, and those one round below time out into it within T.
 * - (f + 1) × T: with every honest validator at one round, a quorum is known there and each
 *   restarts its timer, so they time out together; among f + 1 consecutive rounds one has an
 *   honest proposer (proposers rotate over distinct validators), and that round commits within
 *   a few network delays, a build (at most P after the parent) and a validation, far below T.
 *
 * @example
 * ```ts
 * simLivenessBoundMs(4, defaultSimTimings); // 67_240
 * ```
 */
export function simLivenessBoundMs(validators: number, timings: SimTimings): number {
  const longestRound = qbftRoundTimeoutMs(Number.MAX_SAFE_INTEGER, timings.roundTimeout);
  const sync = timings.statusEveryMs + timings.latencyMs[1] + timings.syncMs[1];
  return (qbftMaxFaulty(validators) + 3) * longestRound + timings.blockPeriodMs + sync;
}
