import type { SimResult } from "./SimResult.ts";
import { isSimSafetyViolation } from "./SimViolation.ts";

/** What many runs add up to. */
export interface SimSummary {
  readonly seeds: number;
  /** Runs with a safety violation (agreement, validity, signing, accusation, crash). */
  readonly safetyViolations: number;
  /** Runs with a liveness failure (bound exceeded, or runaway). */
  readonly livenessFailures: number;
  /** The failing seeds, in the order they were added. */
  readonly failedSeeds: readonly number[];
  /** Virtual ms per height (from one height's first import to the next), over all runs. */
  readonly heightMsMedian: number;
  readonly heightMsP99: number;
  readonly heightMsMax: number;
  /** Point-to-point consensus messages per committed height, over all runs. */
  readonly messagesPerHeight: number;
  /** Longest a node waited for its next block after a heal, over all runs. */
  readonly longestWaitMs: number;
  /** Highest round any block was committed at. */
  readonly maxCommitRound: number;
  /** Evidence effects of non-Byzantine nodes, over all runs. */
  readonly evidence: number;
}

/** The value at percentile `p` (nearest rank) of ascending `sorted`; 0 when empty. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Adds up runs into a {@link SimSummary}: failures by kind, the per-height virtual time
 * distribution and messages per height. Order-independent except for `failedSeeds`.
 *
 * @example
 * ```ts
 * const tally = new SimTally();
 * for (let seed = 1; seed <= 100; seed++) tally.add(runQbftSimulation({ validators: 4, seed, heights: 6 }));
 * tally.summary().safetyViolations; // 0
 * ```
 */
export class SimTally {
  private seeds = 0;
  private safety = 0;
  private liveness = 0;
  private readonly failed: number[] = [];
  private readonly heightMs: number[] = [];
  private messages = 0;
  private heights = 0;
  private maxRound = 0;
  private longestWait = 0;
  private evidence = 0;

  /** Counts one run. */
  add(result: SimResult): void {
    this.seeds++;
    if (!result.ok) {
      this.failed.push(result.seed);
      if (result.violations.some(isSimSafetyViolation)) this.safety++;
      else this.liveness++;
    }
    for (const ms of result.heightMs) this.heightMs.push(ms);
    this.messages += result.messages;
    this.heights += result.heightMs.length;
    this.maxRound = Math.max(this.maxRound, result.maxCommitRound);
    this.longestWait = Math.max(this.longestWait, result.longestWaitMs);
    this.evidence += result.evidence;
  }

  /** The totals so far. */
  summary(): SimSummary {
    const sorted = Float64Array.from(this.heightMs).sort();
    return {
      seeds: this.seeds,
      safetyViolations: this.safety,
      livenessFailures: this.liveness,
      failedSeeds: [...this.failed],
      heightMsMedian: percentile(sorted, 50),
      heightMsP99: percentile(sorted, 99),
      heightMsMax: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
      messagesPerHeight: this.heights === 0 ? 0 : this.messages / this.heights,
      longestWaitMs: this.longestWait,
      maxCommitRound: this.maxRound,
      evidence: this.evidence,
    };
  }
}
