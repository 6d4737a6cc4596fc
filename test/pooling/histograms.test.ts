import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type HistogramBin,
  poolHistograms,
  quantilesFromHistogram,
  type SiteHistogram,
} from "../../src/pooling/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const edges = [0, 18, 40, 65, 80, 100];

/** Counts raw values into the fixed bins above (last bin closed). */
function binned(values: readonly number[]): HistogramBin[] {
  return edges.slice(0, -1).map((lower, i) => {
    const upper = edges[i + 1] as number;
    const last = i === edges.length - 2;
    const count = values.filter((v) => v >= lower && (v < upper || (last && v === upper))).length;
    return { lower, upper, count };
  });
}

describe("quantilesFromHistogram", () => {
  it("interpolates within the bin holding the quantile (grouped-data median)", () => {
    // N = 100; the median bin is [40, 65) with 30 below it and 50 in it:
    // 40 + (50 − 30)/50 · 25 = 50.
    const bins = [
      { lower: 0, upper: 20, count: 10 },
      { lower: 20, upper: 40, count: 20 },
      { lower: 40, upper: 65, count: 50 },
      { lower: 65, upper: 100, count: 20 },
    ];
    expect(quantilesFromHistogram(bins, [0, 0.05, 0.5, 0.9, 1])).toEqual([
      0,
      10,
      50,
      65 + (10 / 20) * 35,
      100,
    ]);
  });

  it("skips empty bins and gaps, and reaches a boundary at the end of a bin", () => {
    const bins = [
      { lower: 0, upper: 10, count: 0 },
      { lower: 10, upper: 20, count: 10 },
      { lower: 30, upper: 40, count: 0 },
      { lower: 50, upper: 60, count: 10 },
      { lower: 60, upper: 70, count: 0 },
    ];
    expect(quantilesFromHistogram(bins, [0, 0.25, 0.5, 0.75, 1])).toEqual([10, 15, 20, 55, 60]);
  });

  it("is monotone in p and stays within the outer edges", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), { minLength: 5, maxLength: 5 }).filter((c) => c.some((x) => x > 0)),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
        (counts, ps) => {
          const bins = binned([]).map((bin, i) => ({ ...bin, count: counts[i] as number }));
          const sorted = [...ps].sort((x, y) => x - y);
          const qs = quantilesFromHistogram(bins, sorted);
          for (const [i, q] of qs.entries()) {
            expect(q).toBeGreaterThanOrEqual(0);
            expect(q).toBeLessThanOrEqual(100);
            if (i > 0) expect(q).toBeGreaterThanOrEqual(qs[i - 1] as number);
          }
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });

  it("refuses malformed bins and probabilities, naming the field", () => {
    const ok = [{ lower: 0, upper: 10, count: 3 }];
    const field = (bins: unknown, ps: unknown = [0.5]) =>
      expectCustosError(
        () => quantilesFromHistogram(bins as HistogramBin[], ps as number[]),
        "INVALID_ARGUMENT",
      ).details.field;
    expect(field([])).toBe("bins");
    expect(field([{ lower: 0, upper: 0, count: 1 }])).toBe("bins[0]");
    expect(field([{ lower: 0, upper: Number.POSITIVE_INFINITY, count: 1 }])).toBe("bins[0].upper");
    expect(
      field([
        { lower: 0, upper: 10, count: 1 },
        { lower: 5, upper: 20, count: 1 },
      ]),
    ).toBe("bins[1].lower");
    expect(field([{ lower: 0, upper: 10, count: null }])).toBe("bins[0].count");
    expect(field([{ lower: 0, upper: 10, count: 0 }])).toBe("bins");
    expect(field(ok, [1.5])).toBe("probabilities[0]");
    expect(field(ok, [0.5, Number.NaN])).toBe("probabilities[1]");
    expect(field(ok, 0.5)).toBe("probabilities");
  });
});

describe("poolHistograms", () => {
  it("equals the histogram of the union of the sites' raw values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 40 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (groups) => {
          const sites = groups.map((values, i) => ({ site: `S${i}`, bins: binned(values) }));
          const pooled = poolHistograms(sites);
          expect(pooled.bins).toEqual(binned(groups.flat()));
          expect(pooled.complete).toBe(true);
          if (groups.flat().length > 0) {
            expect(quantilesFromHistogram(pooled.bins, [0.5])).toEqual(
              quantilesFromHistogram(binned(groups.flat()), [0.5]),
            );
          }
        },
      ),
      { seed: 9, numRuns: 200 },
    );
  });

  it("shows why per-site medians cannot be pooled", () => {
    // Median of medians (20, 60) is 40; the union 10, 20, 30, 55, 60, 65, 70, 75, 80 has median 60.
    const a = [10, 20, 30];
    const b = [55, 60, 65, 70, 75, 80];
    const pooled = poolHistograms([
      { site: "A", bins: binned(a) },
      { site: "B", bins: binned(b) },
    ]);
    const [median] = quantilesFromHistogram(pooled.bins, [0.5]);
    // Grouped median: 4.5 of 9 values; 3 below 40 → bin [40, 65) holds 2: 40 + 1.5/2 · 25.
    expect(median).toBeCloseTo(58.75, 12);
  });

  it("excludes and lists a site that suppressed a bin", () => {
    const site = (name: string, counts: (number | null)[]): SiteHistogram => ({
      site: name,
      bins: binned([]).map((bin, i) => ({ ...bin, count: counts[i] ?? null })),
    });
    const pooled = poolHistograms([
      site("B", [12, null, 30, 20, 11]),
      site("A", [20, 40, 30, 25, 12]),
      site("C", [15, 11, 40, 22, 30]),
    ]);
    expect(pooled.bins.map((bin) => bin.count)).toEqual([35, 51, 70, 47, 42]);
    expect(pooled).toMatchObject({ complete: false, sites: ["A", "C"], excludedSites: ["B"] });
    expect(poolHistograms([])).toEqual({ bins: [], complete: true, sites: [], excludedSites: [] });
  });

  it("refuses mismatched bin edges with the sameBinEdges rule", () => {
    const a: SiteHistogram = { site: "A", bins: binned([1, 2, 3]) };
    const shifted: SiteHistogram = {
      site: "B",
      bins: binned([1]).map((bin, i) => (i === 2 ? { ...bin, upper: 64 } : bin)),
    };
    expect(
      expectCustosError(() => poolHistograms([shifted, a]), "INVALID_ARGUMENT").details,
    ).toEqual({
      rule: "sameBinEdges",
      field: "bins[2].upper",
      site: "B",
      referenceSite: "A",
      expected: 65,
      actual: 64,
    });
    const fewer: SiteHistogram = { site: "B", bins: binned([1]).slice(0, 4) };
    expect(
      expectCustosError(() => poolHistograms([a, fewer]), "INVALID_ARGUMENT").details,
    ).toMatchObject({ rule: "sameBinEdges", field: "bins", site: "B", expected: 5, actual: 4 });
  });

  it("refuses malformed bins, naming the field and the site", () => {
    const details = expectCustosError(
      () => poolHistograms([{ site: "A", bins: [{ lower: 0, upper: 10, count: -1 }] }]),
      "INVALID_ARGUMENT",
    ).details;
    expect(details).toMatchObject({ field: "bins[0].count", site: "A" });
    expect(
      expectCustosError(
        () => poolHistograms([{ site: "A", bins: [null as never] }]),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "bins[0]", site: "A" });
  });
});
