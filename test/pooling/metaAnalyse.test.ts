import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chiSquareUpperTail, metaAnalyse, type SiteEstimate } from "../../src/pooling/index.ts";
import { normalEstimate } from "../../src/pooling/normalEstimate.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { bcgTrials } from "./bcgTrials.ts";

/** Log risk ratios and their Katz variances of the BCG trials, computed directly. */
const bcgLogRR = bcgTrials.map(({ site, a, b, c, d }) => {
  const [x, y, z, w] = [a, b, c, d] as number[] as [number, number, number, number];
  return {
    site,
    estimate: Math.log(x / (x + y) / (z / (z + w))),
    standardError: Math.sqrt(1 / x - 1 / (x + y) + 1 / z - 1 / (z + w)),
  };
});

describe("metaAnalyse", () => {
  it("reproduces DerSimonian–Laird on the BCG trials (metafor / Stata metan figures)", () => {
    const result = metaAnalyse(bcgLogRR);
    // metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (RR, EE and DL).
    expect(result.fixed.estimate).toBeCloseTo(-0.4303, 4);
    expect(result.fixed.lower).toBeCloseTo(-0.5097, 4);
    expect(result.fixed.upper).toBeCloseTo(-0.3509, 4);
    expect(result.fixed.z).toBeCloseTo(-10.6247, 4);
    expect(result.heterogeneity.q).toBeCloseTo(152.233, 3);
    expect(result.heterogeneity.df).toBe(12);
    expect(result.heterogeneity.tauSquared).toBeCloseTo(0.3088, 4);
    expect(result.heterogeneity.iSquared).toBeCloseTo(92.1173, 4);
    expect(result.random.estimate).toBeCloseTo(-0.7141, 4);
    expect(result.random.lower).toBeCloseTo(-1.0644, 4);
    expect(result.random.upper).toBeCloseTo(-0.3638, 4);
    expect(result.random.z).toBeCloseTo(-3.9952, 4);
    expect(result.k).toBe(13);
  });

  it("agrees with an independent computation from raw sums", () => {
    // The textbook one-pass form (as in many DL implementations): another code path.
    const w = bcgLogRR.map((e) => 1 / e.standardError ** 2);
    const y = bcgLogRR.map((e) => e.estimate);
    const sw = w.reduce((s, x) => s + x, 0);
    const swy = w.reduce((s, x, i) => s + x * (y[i] as number), 0);
    const swy2 = w.reduce((s, x, i) => s + x * (y[i] as number) ** 2, 0);
    const sw2 = w.reduce((s, x) => s + x * x, 0);
    const q = swy2 - (swy * swy) / sw;
    const tau2 = Math.max(0, (q - 12) / (sw - sw2 / sw));
    const wr = w.map((x) => 1 / (1 / x + tau2));
    const random =
      wr.reduce((s, x, i) => s + x * (y[i] as number), 0) / wr.reduce((s, x) => s + x, 0);
    const result = metaAnalyse(bcgLogRR);
    expect(result.heterogeneity.q).toBeCloseTo(q, 9);
    expect(result.heterogeneity.tauSquared).toBeCloseTo(tau2, 12);
    expect(result.heterogeneity.iSquared).toBeCloseTo((100 * (q - 12)) / q, 9);
    expect(result.fixed.estimate).toBeCloseTo(swy / sw, 12);
    expect(result.fixed.standardError).toBeCloseTo(1 / Math.sqrt(sw), 12);
    expect(result.random.estimate).toBeCloseTo(random, 12);
    // Q = 152.23 on 12 df: p far below 1e-20.
    expect(result.heterogeneity.pValue).toBeGreaterThan(0);
    expect(result.heterogeneity.pValue).toBeLessThan(1e-20);
  });

  it("gives τ² = 0, I² = 0 and equal estimates for homogeneous sites", () => {
    const result = metaAnalyse([
      { site: "A", estimate: 0.5, standardError: 0.1 },
      { site: "B", estimate: 0.5, standardError: 0.2 },
      { site: "C", estimate: 0.5, standardError: 0.3 },
    ]);
    expect(result.heterogeneity).toMatchObject({ q: 0, df: 2, iSquared: 0, tauSquared: 0 });
    expect(result.heterogeneity.pValue).toBe(1);
    expect(result.random).toEqual(result.fixed);
    expect(result.fixed.estimate).toBeCloseTo(0.5, 15);
  });

  it("passes one site through, with no p-value for Q", () => {
    const result = metaAnalyse([{ site: "A", estimate: -0.3, standardError: 0.2 }]);
    expect(result.fixed.estimate).toBe(-0.3);
    expect(result.fixed.standardError).toBeCloseTo(0.2, 15);
    expect(result.random).toEqual(result.fixed);
    expect(result.heterogeneity).toEqual({ q: 0, df: 0, pValue: null, iSquared: 0, tauSquared: 0 });
  });

  it("keeps I² in [0, 100], τ² ≥ 0 and is invariant to site order", () => {
    const estimates = fc
      .array(
        fc.record({
          estimate: fc.double({ min: -5, max: 5, noNaN: true }),
          standardError: fc.double({ min: 0.01, max: 3, noNaN: true }),
        }),
        { minLength: 1, maxLength: 15 },
      )
      .map((list): SiteEstimate[] => list.map((e, i) => ({ site: `S${i}`, ...e })));
    fc.assert(
      fc.property(
        estimates.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          const result = metaAnalyse(list);
          const { iSquared, tauSquared, q, pValue } = result.heterogeneity;
          expect(iSquared).toBeGreaterThanOrEqual(0);
          expect(iSquared).toBeLessThanOrEqual(100);
          expect(tauSquared).toBeGreaterThanOrEqual(0);
          expect(q).toBeGreaterThanOrEqual(0);
          if (pValue !== null) {
            expect(pValue).toBeGreaterThanOrEqual(0);
            expect(pValue).toBeLessThanOrEqual(1);
          }
          // Between-site variance can only widen the interval.
          expect(result.random.standardError).toBeGreaterThanOrEqual(
            result.fixed.standardError * (1 - 1e-12),
          );
          expect(metaAnalyse(shuffled)).toEqual(result);
        },
      ),
      { seed: 21, numRuns: 300 },
    );
  });

  it("refuses malformed estimates, naming the field and the site", () => {
    const bad = (entry: Partial<SiteEstimate>) =>
      expectCustosError(
        () => metaAnalyse([{ site: "H1", estimate: 0.1, standardError: 0.2, ...entry }]),
        "INVALID_ARGUMENT",
      ).details;
    expect(bad({ estimate: Number.NaN })).toMatchObject({ field: "estimate", site: "H1" });
    expect(bad({ standardError: 0 })).toMatchObject({ field: "standardError", site: "H1" });
    expect(bad({ standardError: -0.1 })).toMatchObject({ field: "standardError" });
    expect(bad({ standardError: 1e-200 })).toMatchObject({ field: "standardError" });
    expect(bad({ standardError: 1e200 })).toMatchObject({ field: "standardError" });
    expect(bad({ standardError: Number.POSITIVE_INFINITY })).toMatchObject({
      field: "standardError",
    });
    expect(expectCustosError(() => metaAnalyse([]), "INVALID_ARGUMENT").details).toMatchObject({
      field: "estimates",
    });
    expect(
      expectCustosError(
        () =>
          metaAnalyse([
            { site: "A", estimate: 1e300, standardError: 1e-150 },
            { site: "B", estimate: -1e300, standardError: 1e-150 },
          ]),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "estimates" });
  });
});

describe("chiSquareUpperTail", () => {
  it("matches the closed form for even df: e^(−x/2) Σ_{j<df/2} (x/2)^j / j!", () => {
    for (const df of [2, 4, 12, 30]) {
      for (const x of [0.01, 0.5, 3, 10, 25, 60, 150]) {
        let term = 1;
        let sum = 1;
        for (let j = 1; j < df / 2; j++) {
          term *= x / 2 / j;
          sum += term;
        }
        const expected = Math.exp(-x / 2) * sum;
        expect(Math.abs(chiSquareUpperTail(x, df) - expected)).toBeLessThanOrEqual(
          1e-13 * Math.max(expected, 1e-300) + 1e-300,
        );
      }
    }
  });

  it("matches critical values of the chi-square table (odd and even df)", () => {
    // 1.959963984540054² (the normal 97.5 % point), and R's qchisq(0.95, df) for 3 and 12.
    expect(chiSquareUpperTail(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareUpperTail(7.814727903251178, 3)).toBeCloseTo(0.05, 12);
    expect(chiSquareUpperTail(21.02606981748307, 12)).toBeCloseTo(0.05, 12);
    expect(chiSquareUpperTail(0, 5)).toBe(1);
  });

  it("agrees across the series and continued-fraction branches for odd df", () => {
    // df = 3: Q = erfc(√(x/2)) + √(2x/π)·e^(−x/2), with erfc from the df = 1 tail.
    for (const x of [0.3, 1, 2.4, 2.6, 5, 20, 80]) {
      const expected = chiSquareUpperTail(x, 1) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
      expect(chiSquareUpperTail(x, 3)).toBeCloseTo(expected, 13);
    }
  });

  it("refuses a negative x or a non-integer df", () => {
    expect(
      expectCustosError(() => chiSquareUpperTail(-1, 2), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "x" });
    expect(
      expectCustosError(() => chiSquareUpperTail(1, 0), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "df" });
    expectCustosError(() => chiSquareUpperTail(Number.NaN, 2), "INVALID_ARGUMENT");
  });
});

describe("normalEstimate", () => {
  it("gives the Wald interval and the two-sided normal p-value", () => {
    // 2·(1 − Φ(z)) for z = 1.96 (0.05), 1 and 3, from standard normal tables.
    expect(normalEstimate(1.959963984540054, 1).pValue).toBeCloseTo(0.05, 13);
    expect(normalEstimate(-2, 2).pValue).toBeCloseTo(0.3173105078629141, 13);
    expect(normalEstimate(3, 1).pValue).toBeCloseTo(0.002699796063260207, 15);
    expect(normalEstimate(0, 1).pValue).toBe(1);
    expect(normalEstimate(1, 0.5)).toMatchObject({ z: 2, lower: 1 - 0.979981992270027 });
  });
});
