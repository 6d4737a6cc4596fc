/** Why a peer is penalised; each reason weighs {@link penaltyPoints} points. */
export type PenaltyReason =
  | "malformed-message"
  | "oversized-message"
  | "protocol-violation"
  | "bad-sync-response"
  | "sync-timeout"
  | "invalid-consensus-message"
  | "invalid-block"
  | "invalid-transaction";

/**
 * Points per reason, against a default threshold of 100: a peer is banned after about four
 * malformed frames or two invalid blocks in quick succession, while a slow peer needs ten
 * timeouts and a peer relaying transactions the pool refuses needs fifty.
 */
export const penaltyPoints: Readonly<Record<PenaltyReason, number>> = {
  "malformed-message": 25,
  "oversized-message": 50,
  "protocol-violation": 50,
  "bad-sync-response": 25,
  "sync-timeout": 10,
  "invalid-consensus-message": 20,
  "invalid-block": 50,
  "invalid-transaction": 2,
};

/** How penalties add up and what a ban costs. */
export interface ScoringPolicy {
  /** A peer whose score reaches this is disconnected and banned. */
  readonly threshold: number;
  /** Penalty points halve in this many milliseconds, so old faults are forgiven. */
  readonly halfLifeMs: number;
  /** How long a banned peer is refused (in both directions). */
  readonly banMs: number;
}

/** Defaults of {@link ScoringPolicy}. */
export const defaultScoringPolicy: ScoringPolicy = {
  threshold: 100,
  halfLifeMs: 5 * 60_000,
  banMs: 60_000,
};

interface Score {
  points: number;
  at: number;
}

/** What a penalty did. */
export interface PenaltyOutcome {
  /** The peer's score after the penalty (0 once it is banned). */
  readonly score: number;
  /** True when this penalty crossed the threshold: the caller disconnects the peer. */
  readonly banned: boolean;
}

const PRUNE_AT = 4096;

/**
 * Penalty scores per peer id, decaying exponentially, with time-boxed bans. Pure bookkeeping:
 * the network disconnects and refuses; this only remembers.
 *
 * @example
 * ```ts
 * const scores = new PeerScores(defaultScoringPolicy, Date.now);
 * if (scores.penalise(peerId, "malformed-message").banned) await hangUp(peerId);
 * scores.isBanned(peerId);
 * ```
 */
export class PeerScores {
  readonly #policy: ScoringPolicy;
  readonly #now: () => number;
  readonly #scores = new Map<string, Score>();
  readonly #bans = new Map<string, number>();

  constructor(policy: ScoringPolicy, now: () => number) {
    this.#policy = policy;
    this.#now = now;
  }

  /** Adds the reason's points to the peer's decayed score and bans it at the threshold. */
  penalise(peerId: string, reason: PenaltyReason): PenaltyOutcome {
    const now = this.#now();
    const points = this.score(peerId) + penaltyPoints[reason];
    if (points >= this.#policy.threshold) {
      this.#scores.delete(peerId);
      this.#bans.set(peerId, now + this.#policy.banMs);
      return { score: 0, banned: true };
    }
    this.#scores.set(peerId, { points, at: now });
    if (this.#scores.size > PRUNE_AT) this.#prune();
    return { score: points, banned: false };
  }

  /**
   * The peer's current score, decayed to now and rounded to whole points (so two penalties
   * that add up to the threshold ban even a few milliseconds of decay apart).
   */
  score(peerId: string): number {
    const entry = this.#scores.get(peerId);
    if (entry === undefined) return 0;
    const elapsed = Math.max(0, this.#now() - entry.at);
    return Math.round(entry.points * 2 ** (-elapsed / this.#policy.halfLifeMs));
  }

  /** When the peer's ban ends (ms since the epoch), or `undefined` when it is not banned. */
  bannedUntil(peerId: string): number | undefined {
    const until = this.#bans.get(peerId);
    if (until === undefined) return undefined;
    if (until > this.#now()) return until;
    this.#bans.delete(peerId);
    return undefined;
  }

  /** Whether the peer is banned now. */
  isBanned(peerId: string): boolean {
    return this.bannedUntil(peerId) !== undefined;
  }

  #prune(): void {
    for (const peerId of [...this.#scores.keys()]) {
      if (this.score(peerId) === 0) this.#scores.delete(peerId);
    }
  }
}
