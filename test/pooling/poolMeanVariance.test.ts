import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { poolMeanVariance, type SiteMoments } from "../../src/pooling/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

/** Two-pass mean and sample variance of raw values: the reference the pooling must match. */
function describeValues(values: readonly number[]): { n: number; mean: number; variance: number } {
  const n = values.length;
  const mean = values.reduce((s, x) => s + x, 0) / n;
  const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}

function moments(site: string, values: readonly number[]): SiteMoments {
  if (values.length === 0) return { site, n: 0, mean: null, variance: null };
  const { n, mean, variance } = describeValues(values);
  return { site, n, mean, variance: n >= 2 ? variance : null };
}

const siteValues = fc.array(
  fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { maxLength: 25 }),
  { minLength: 1, maxLength: 8 },
);

describe("poolMeanVariance", () => {
  it("matches a hand computation (between- plus within-site sums of squares)", () => {
    // H1 = 1, 2, 3; H2 = 4, 6. Union: mean 16/5; SS = 2 + 2 + 3·1.2² + 2·1.8² = 14.8.
    const pooled = poolMeanVariance([
      { site: "H2", n: 2, mean: 5, variance: 2 },
      { site: "H1", n: 3, mean: 2, variance: 1 },
    ]);
    expect(pooled.n).toBe(5);
    expect(pooled.mean).toBeCloseTo(3.2, 14);
    expect(pooled.variance).toBeCloseTo(14.8 / 4, 14);
    expect(pooled).toMatchObject({ complete: true, sites: ["H1", "H2"], excludedSites: [] });
  });

  it("equals the mean and variance of the concatenated raw values", () => {
    fc.assert(
      fc.property(siteValues, (groups) => {
        const sites = groups.map((values, i) => moments(`S${i}`, values));
        const union = groups.flat();
        const pooled = poolMeanVariance(sites);
        expect(pooled.n).toBe(union.length);
        if (union.length === 0) {
          expect(pooled.mean).toBeNull();
          return;
        }
        const reference = describeValues(union);
        expect(Math.abs((pooled.mean as number) - reference.mean)).toBeLessThanOrEqual(1e-9);
        if (union.length < 2) {
          expect(pooled.variance).toBeNull();
          return;
        }
        expect(Math.abs((pooled.variance as number) - reference.variance)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, reference.variance),
        );
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it("does not depend on the order of the sites, to the last bit", () => {
    fc.assert(
      fc.property(
        siteValues.chain((groups) => {
          const sites = groups.map((values, i) => moments(`S${i}`, values));
          return fc.tuple(
            fc.constant(sites),
            fc.shuffledSubarray(sites, { minLength: sites.length }),
          );
        }),
        ([sites, shuffled]) => {
          expect(poolMeanVariance(shuffled)).toEqual(poolMeanVariance(sites));
        },
      ),
      { seed: 6, numRuns: 200 },
    );
  });

  it("stays accurate for a large mean with a small spread", () => {
    // Values 1e9 + k: the textbook Σx² − n·mean² form loses every digit of this variance.
    const groups = [
      [1, 2, 3, 4],
      [5, 6, 7],
      [8, 9, 10, 11, 12],
    ].map((ks) => ks.map((k) => 1e9 + k));
    const pooled = poolMeanVariance(groups.map((values, i) => moments(`S${i}`, values)));
    // Variance of 1 … 12 is 12·13/12 = 13.
    expect(pooled.variance).toBeCloseTo(13, 6);
    expect(pooled.mean).toBeCloseTo(1e9 + 6.5, 6);
    const sumX = groups.flat().reduce((s, x) => s + x, 0);
    const sumX2 = groups.flat().reduce((s, x) => s + x * x, 0);
    const naive = (sumX2 - (sumX * sumX) / 12) / 11;
    expect(Math.abs(naive - 13)).toBeGreaterThan(1);
  });

  it("excludes and lists sites with a suppressed field they need", () => {
    const pooled = poolMeanVariance([
      { site: "A", n: 20, mean: 4, variance: 1 },
      { site: "B", n: null, mean: 5, variance: 1 },
      { site: "C", n: 15, mean: null, variance: null },
      { site: "D", n: 12, mean: 6, variance: null },
      { site: "E", n: 0, mean: null, variance: null },
      { site: "F", n: 1, mean: 9, variance: null },
    ]);
    expect(pooled.sites).toEqual(["A", "E", "F"]);
    expect(pooled.excludedSites).toEqual(["B", "C", "D"]);
    expect(pooled.complete).toBe(false);
    expect(pooled.n).toBe(21);
    expect(pooled.mean).toBeCloseTo((20 * 4 + 9) / 21, 12);
    // SS = 19·1 + 20·(4 − 89/21)² + (9 − 89/21)².
    const mean = 89 / 21;
    expect(pooled.variance).toBeCloseTo((19 + 20 * (4 - mean) ** 2 + (9 - mean) ** 2) / 20, 12);
  });

  it("reports no mean for n = 0 and no variance for n = 1", () => {
    expect(poolMeanVariance([])).toEqual({
      n: 0,
      mean: null,
      variance: null,
      complete: true,
      sites: [],
      excludedSites: [],
    });
    expect(poolMeanVariance([{ site: "A", n: 1, mean: 3, variance: 0 }])).toMatchObject({
      n: 1,
      mean: 3,
      variance: null,
    });
  });

  it("refuses malformed fields, naming the field and the site", () => {
    const bad = (entry: Partial<SiteMoments>) =>
      expectCustosError(
        () => poolMeanVariance([{ site: "H1", n: 10, mean: 1, variance: 1, ...entry }]),
        "INVALID_ARGUMENT",
      ).details;
    expect(bad({ n: -1 })).toMatchObject({ field: "n", site: "H1" });
    expect(bad({ n: 2.5 })).toMatchObject({ field: "n", site: "H1" });
    expect(bad({ mean: Number.NaN })).toMatchObject({ field: "mean", site: "H1" });
    expect(bad({ mean: Number.NEGATIVE_INFINITY })).toMatchObject({ field: "mean" });
    expect(bad({ variance: -0.1 })).toMatchObject({ field: "variance", site: "H1" });
    expect(bad({ variance: Number.POSITIVE_INFINITY })).toMatchObject({ field: "variance" });
    expectCustosError(
      () =>
        poolMeanVariance([
          { site: "A", n: Number.MAX_SAFE_INTEGER, mean: 1, variance: 1 },
          { site: "B", n: 1, mean: 1, variance: 0 },
        ]),
      "INVALID_ARGUMENT",
    );
  });

  it("refuses values too large to pool rather than returning NaN or Infinity", () => {
    const error = expectCustosError(
      () =>
        poolMeanVariance([
          { site: "A", n: 2, mean: 1e300, variance: 0 },
          { site: "B", n: 2, mean: -1e300, variance: 0 },
        ]),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toMatchObject({ field: "variance" });
  });
});
