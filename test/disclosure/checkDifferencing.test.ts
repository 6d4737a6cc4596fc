import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkDifferencing,
  cohortFromBitset,
  createInMemoryDifferencingStore,
  symmetricDifferenceSize,
  toCohort,
} from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("differencing guard", () => {
  it("refuses exactly the cohorts with 0 < |symmetric difference| < min", async () => {
    const base = fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 120 });
    await fc.assert(
      fc.asyncProperty(
        base,
        fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 15 }),
        async (first, flips, min) => {
          const a = new Set(first);
          const b = new Set(first);
          for (const id of flips) {
            if (b.has(id)) b.delete(id);
            else b.add(id);
          }
          const store = createInMemoryDifferencingStore();
          await store.record("r1", toCohort(a));
          const decision = await checkDifferencing(store, "r1", toCohort(b), min);
          const delta = flips.length;
          if (delta > 0 && delta < min) {
            expect(decision).toEqual({
              status: "refused",
              symmetricDifference: delta,
              minDifference: min,
            });
          } else {
            expect(decision.status).toBe("allowed");
          }
          // Another requester never collides with r1's history.
          expect((await checkDifferencing(store, "r2", toCohort(b), min)).status).toBe("allowed");
        },
      ),
      { seed: 5, numRuns: 400 },
    );
  });

  it("counts symmetric differences exactly and stops early", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 })),
        fc.uniqueArray(fc.integer({ min: 0, max: 200 })),
        (xs, ys) => {
          const a = toCohort(xs);
          const b = toCohort(ys);
          const sa = new Set(xs);
          const sb = new Set(ys);
          const exact =
            [...sa].filter((x) => !sb.has(x)).length + [...sb].filter((y) => !sa.has(y)).length;
          expect(symmetricDifferenceSize(a, b, Number.POSITIVE_INFINITY)).toBe(exact);
          expect(symmetricDifferenceSize(a, b, 5)).toBe(Math.min(exact, 5));
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });

  it("handles large cohorts and keeps a repeat once", async () => {
    const big = new Uint32Array(1_000_000);
    for (let i = 0; i < big.length; i++) big[i] = 3 * i;
    const store = createInMemoryDifferencingStore();
    await store.record("r", big);
    await store.record("r", big.slice());
    expect(await store.nearby("r", big.length, 11)).toHaveLength(1);
    const near = Uint32Array.from(big);
    near[500_000] = 3 * 500_000 + 1; // one swapped id: |delta| = 2
    expect((await checkDifferencing(store, "r", near, 11)).status).toBe("refused");
    expect((await checkDifferencing(store, "r", big, 11)).status).toBe("allowed");
  });

  it("normalises cohorts and names a bad position", () => {
    expect(Array.from(toCohort([5, 1, 5, 3]))).toEqual([1, 3, 5]);
    expect(Array.from(toCohort(new Set([9, 2])))).toEqual([2, 9]);
    expect(Array.from(cohortFromBitset(Uint32Array.of(0b1010, 0x8000_0001)))).toEqual([
      1, 3, 32, 63,
    ]);
    for (const [bad, position] of [
      [Uint32Array.of(1, 3, 3), 2],
      [[1, -2], 1],
      [[0, 1.5], 1],
      [[2 ** 32], 0],
    ] as const) {
      const error = expectCustosError(
        () => toCohort(bad as Uint32Array | number[]),
        "DISCLOSURE_INVALID_COHORT",
      );
      expect(error.details.position).toBe(position);
    }
  });
});
