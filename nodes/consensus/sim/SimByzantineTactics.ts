import type { SimRandom } from "./SimRandom.ts";

/**
 * How one Byzantine validator misbehaves in a run. It runs an honest core underneath (so it
 * knows the height, round and blocks, and its messages look plausible) and holds only its own
 * key: anything it sends in another validator's name carries a signature copied from that
 * validator's messages onto another payload.
 */
export interface SimByzantineTactics {
  /** Sends nothing at all, as if crashed for good (the other tactics are then idle). */
  readonly silent: boolean;
  /**
   * Probability, per message and recipient, of sending a conflicting version instead (or on
   * top): another block in a proposal, another digest in a prepare or commit.
   */
  readonly equivocate: number;
  /** Commits carrying a seal over another digest. */
  readonly badSeals: boolean;
  /** Proposes blocks that fail execution when it is the proposer. */
  readonly invalidBlocks: boolean;
  /**
   * Round changes for rounds far ahead, with wrong prepared certificates, with a claim but
   * no block, or with forged prepares (others' signatures on other payloads).
   */
  readonly bogusRoundChanges: boolean;
  /** Proposals when it is not the proposer, or justified by forged or unrelated round changes. */
  readonly forgedProposals: boolean;
  /** Re-sends old messages it received, its own and others'. */
  readonly replays: boolean;
  /** Virtual milliseconds between two of its unprompted attacks. */
  readonly attackEveryMs: number;
}

/**
 * Draws a Byzantine validator's tactics: silent one time in five; otherwise each tactic on
 * or off by a coin weighted towards mischief, equivocating on 20–100 % of its messages when
 * it equivocates, and attacking every 0.3–5 s.
 *
 * @example
 * ```ts
 * const tactics = drawSimByzantineTactics(random);
 * ```
 */
export function drawSimByzantineTactics(random: SimRandom): SimByzantineTactics {
  const silent = random.chance(0.2);
  return {
    silent,
    equivocate: !silent && random.chance(0.7) ? 0.2 + 0.8 * random.float() : 0,
    badSeals: !silent && random.chance(0.3),
    invalidBlocks: !silent && random.chance(0.3),
    bogusRoundChanges: !silent && random.chance(0.6),
    forgedProposals: !silent && random.chance(0.5),
    replays: !silent && random.chance(0.5),
    attackEveryMs: random.int(300, 5_000),
  };
}
