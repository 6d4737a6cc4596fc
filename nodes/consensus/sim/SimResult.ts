import type { SimViolation } from "./SimViolation.ts";

/** The faults a run's plan drew, in brief. */
export interface SimFaultSummary {
  /** Virtual time the faults healed (0: a clean network from the start). */
  readonly healAt: number;
  readonly byzantine: readonly number[];
  readonly wiped: readonly number[];
  readonly crashes: number;
  readonly partitions: number;
  readonly cuts: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly slowRate: number;
}

/** What one run did and found. */
export interface SimResult {
  readonly validators: number;
  readonly seed: number;
  readonly heights: number;
  /** No checker found anything. */
  readonly ok: boolean;
  /** What the checkers found (the run stops at the first). */
  readonly violations: readonly SimViolation[];
  /** Fingerprint of the whole run: a replay gives the same. */
  readonly traceHash: string;
  /** Height every non-Byzantine node reached. */
  readonly reached: number;
  /** Height they had to reach (the run's heights, or two past the heal if more). */
  readonly target: number;
  /** Virtual time at the end, milliseconds. */
  readonly virtualMs: number;
  /** Per height, virtual ms from the previous height's first import to this one's. */
  readonly heightMs: readonly number[];
  /**
   * Longest a non-Byzantine node waited for its next block after the heal (what the
   * liveness bound caps).
   */
  readonly longestWaitMs: number;
  /** Highest round at which a block was committed. */
  readonly maxCommitRound: number;
  /** Point-to-point consensus messages sent. */
  readonly messages: number;
  /** Events processed. */
  readonly events: number;
  /** Evidence effects of non-Byzantine nodes. */
  readonly evidence: number;
  /** `dropped` effects by reason. */
  readonly drops: Readonly<Record<string, number>>;
  readonly faults: SimFaultSummary;
}
