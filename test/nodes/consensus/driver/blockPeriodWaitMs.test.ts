import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockPeriodWaitMs } from "../../../../nodes/consensus/driver/index.ts";

describe("blockPeriodWaitMs", () => {
  it("waits until the parent's timestamp plus the period", () => {
    expect(blockPeriodWaitMs(1_700_000_000n, 1, 1_700_000_000_400)).toBe(600);
    expect(blockPeriodWaitMs(1_700_000_000n, 5, 1_700_000_001_000)).toBe(4_000);
    expect(blockPeriodWaitMs(1_700_000_000n, 1, 1_700_000_001_000)).toBe(0);
    expect(blockPeriodWaitMs(1_700_000_000n, 1, 1_700_000_005_000)).toBe(0);
  });

  it("never waits more than one period, even for a parent stamped in the future", () => {
    expect(blockPeriodWaitMs(1_700_000_100n, 2, 1_700_000_000_000)).toBe(2_000);
  });

  it("ends exactly at the due time when that is within a period", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 4_000_000_000n }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -100_000, max: 100_000 }),
        (parent, period, offset) => {
          const due = Number(parent) * 1000 + period * 1000;
          const now = due + offset;
          const wait = blockPeriodWaitMs(parent, period, now);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(period * 1000);
          if (offset >= 0) expect(wait).toBe(0);
          else if (-offset <= period * 1000) expect(now + wait).toBe(due);
        },
      ),
      { seed: 20261206, numRuns: 500 },
    );
  });
});
