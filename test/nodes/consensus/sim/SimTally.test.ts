import { describe, expect, it } from "vitest";
import {
  type SimResult,
  SimTally,
  type SimViolation,
} from "../../../../nodes/consensus/sim/index.ts";

function result(seed: number, heightMs: number[], violations: SimViolation[] = []): SimResult {
  return {
    validators: 4,
    seed,
    heights: heightMs.length,
    ok: violations.length === 0,
    violations,
    traceHash: "0".repeat(16),
    reached: heightMs.length,
    target: heightMs.length,
    virtualMs: heightMs.reduce((sum, ms) => sum + ms, 0),
    heightMs,
    longestWaitMs: 0,
    maxCommitRound: seed,
    messages: 10 * heightMs.length,
    events: 0,
    evidence: 1,
    drops: {},
    faults: {
      healAt: 0,
      byzantine: [],
      wiped: [],
      crashes: 0,
      partitions: 0,
      cuts: 0,
      dropRate: 0,
      duplicateRate: 0,
      slowRate: 0,
    },
  };
}

const violation = (kind: SimViolation["kind"]): SimViolation => ({
  kind,
  time: 0,
  node: 0,
  height: 1n,
  detail: "",
});

describe("SimTally", () => {
  it("counts failures by kind and keeps the failing seeds", () => {
    const tally = new SimTally();
    tally.add(result(1, [1_000]));
    tally.add(result(2, [1_000], [violation("liveness")]));
    tally.add(result(3, [1_000], [violation("agreement"), violation("liveness")]));
    tally.add(result(4, [1_000], [violation("runaway")]));
    const summary = tally.summary();
    expect(summary).toMatchObject({ seeds: 4, safetyViolations: 1, livenessFailures: 2 });
    expect(summary.failedSeeds).toEqual([2, 3, 4]);
    expect(summary.maxCommitRound).toBe(4);
    expect(summary.evidence).toBe(4);
  });

  it("gives nearest-rank percentiles of the time per height and messages per height", () => {
    const tally = new SimTally();
    tally.add(
      result(
        1,
        Array.from({ length: 100 }, (_, i) => i + 1),
      ),
    );
    const summary = tally.summary();
    expect(summary.heightMsMedian).toBe(50);
    expect(summary.heightMsP99).toBe(99);
    expect(summary.heightMsMax).toBe(100);
    expect(summary.messagesPerHeight).toBe(10);
    expect(new SimTally().summary()).toMatchObject({
      seeds: 0,
      heightMsMedian: 0,
      messagesPerHeight: 0,
    });
  });
});
