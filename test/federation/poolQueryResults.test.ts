import { describe, expect, it } from "vitest";
import {
  type PooledMeasure,
  poissonInterval,
  poolQueryResults,
  type VerifiedHospitalResult,
} from "../../src/federation/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { type FixtureRelease, resultDocument, spec, twoByTwo } from "./federationFixtures.ts";

const results = (...releases: FixtureRelease[]): VerifiedHospitalResult[] =>
  releases.map((release, i) => ({ hospitalId: i + 1, document: resultDocument(i + 1, release) }));

function measure<T extends PooledMeasure["type"]>(
  pooled: ReturnType<typeof poolQueryResults>,
  name: string,
): Extract<PooledMeasure, { type: T }> {
  const found = pooled.measures.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no measure ${name}`);
  return found as Extract<PooledMeasure, { type: T }>;
}

/** Sample mean and variance (n − 1) of values. */
function moments(values: readonly number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, x) => a + (x - mean) ** 2, 0) / (values.length - 1);
  return { n: values.length, mean, variance };
}

describe("poolQueryResults", () => {
  it("sums counts and tables cell by cell, naming who suppressed, with lower bounds", () => {
    const pooled = poolQueryResults(
      spec,
      results(
        { n: 120, sex: [70, null, 0, 120] },
        { n: null, sex: [40, 25, null, 65] },
        { n: 80, sex: [44, 36, 0, 80] },
      ),
      { minimumSites: 2 },
    );
    const n = measure<"count">(pooled, "n");
    expect(n).toMatchObject({ released: true, value: 200, lowerBound: true });
    expect(n.sites).toEqual({ contributed: [1, 3], suppressed: [2], withheld: [] });

    const sex = measure<"histogram">(pooled, "sex");
    expect(sex.table?.values).toEqual([154, 61, 0, 265]);
    // Male: hospital 1 suppressed; other: hospital 2 did — both sums are lower bounds.
    expect(sex.table?.lowerBound).toEqual([false, true, true, false]);
    expect(sex.sites).toEqual({ contributed: [1, 2, 3], suppressed: [1, 2], withheld: [] });
    expect(pooled.attrition.steps.map((s) => s.persons)).toEqual([360, 330, 300]);
  });

  it("withholds a cell fewer than the minimum of sites released", () => {
    const pooled = poolQueryResults(
      spec,
      results({ sex: [70, null, null, 120] }, { sex: [40, 25, null, 65] }),
      { minimumSites: 2 },
    );
    const sex = measure<"histogram">(pooled, "sex");
    expect(sex.table?.values).toEqual([110, null, null, 185]);
    expect(sex.table?.lowerBound).toEqual([false, false, false, false]);
  });

  it("pools means and variances to those of the union of the hospitals' values", () => {
    const a = [21.5, 30.2, 28.8, 25.1, 33.3, 27.7];
    const b = [19.9, 24.4, 41.0, 35.5];
    const c = [26.6, 29.9, 31.1, 22.2, 24.8, 28.0, 30.5];
    const pooled = poolQueryResults(
      spec,
      results(
        { bmi: { ...moments(a), withheld: null } },
        { bmi: { ...moments(b), withheld: null } },
        { bmi: { ...moments(c), withheld: null } },
        { bmi: { n: null, mean: null, variance: null, withheld: "dominance" } },
      ),
      { minimumSites: 3 },
    );
    const bmi = measure<"summary">(pooled, "bmi");
    const union = moments([...a, ...b, ...c]);
    expect(bmi.released).toBe(true);
    expect(bmi.n).toBe(union.n);
    expect(bmi.mean).toBeCloseTo(union.mean, 12);
    expect(bmi.variance).toBeCloseTo(union.variance, 12);
    expect(bmi.sites).toEqual({
      contributed: [1, 2, 3],
      suppressed: [],
      withheld: [{ hospitalId: 4, reason: "dominance" }],
    });
  });

  it("releases a measure only with the minimum of contributing sites", () => {
    const pooled = poolQueryResults(
      spec,
      results(
        { n: 120, bmi: { n: 20, mean: 28, variance: 16, withheld: null } },
        { n: 90, bmi: { n: null, mean: null, variance: null, withheld: "minN" } },
      ),
      { minimumSites: 2 },
    );
    expect(measure<"count">(pooled, "n")).toMatchObject({ released: true, value: 210 });
    expect(measure<"summary">(pooled, "bmi")).toMatchObject({
      released: false,
      reason: "tooFewSites",
      n: null,
      mean: null,
      variance: null,
      sites: { contributed: [1], withheld: [{ hospitalId: 2, reason: "minN" }] },
    });
    const error = expectCustosError(
      () => poolQueryResults(spec, results({}), { minimumSites: 2 }),
      "FEDERATION_TOO_FEW_SITES",
    );
    expect(error.details).toEqual({ verified: 1, minimum: 2 });
  });

  it("gives the Mantel–Haenszel odds ratio and the meta-analysis of 2×2 tables", () => {
    const pooled = poolQueryResults(
      spec,
      results(
        { htnCkd: twoByTwo(4, 119, 11, 128) },
        { htnCkd: twoByTwo(6, 300, 29, 274) },
        { htnCkd: twoByTwo(9, 80, 12, 70, [0]) },
      ),
      { minimumSites: 2 },
    );
    const htn = measure<"twoByTwo">(pooled, "htnCkd");
    // Σ(ad/n)/Σ(bc/n) = (512/262 + 1644/609)/(1309/262 + 8700/609) ≈ 0.2414.
    const expected = (512 / 262 + 1644 / 609) / (1309 / 262 + 8700 / 609);
    expect(htn.oddsRatio?.mantelHaenszel?.ratio).toBeCloseTo(expected, 12);
    expect(htn.oddsRatio?.mantelHaenszel?.ratio).toBeCloseTo(0.2414, 4);
    expect(htn.oddsRatio?.sites).toEqual(["1", "2"]);
    expect(htn.oddsRatio?.excludedSites).toEqual([{ site: "3", reason: "suppressed" }]);
    expect(htn.oddsRatio?.heterogeneity?.iSquared).toBeGreaterThanOrEqual(0);
    expect(htn.oddsRatio?.random?.ratio).toBeGreaterThan(0);
    expect(htn.riskRatio?.mantelHaenszel?.ratio).toBeGreaterThan(0);
    // Summed cells; exposed-with-outcome is a lower bound (hospital 3 suppressed it).
    expect(htn.table?.values).toEqual([10, 499, 518, 52, 472, 524, 71, 971, 1_042]);
    expect(htn.table?.lowerBound[0]).toBe(true);
    expect(htn.sites).toEqual({ contributed: [1, 2], suppressed: [3], withheld: [] });
  });

  it("lists a 2×2 table without information as withheld", () => {
    const pooled = poolQueryResults(spec, results({}, { htnCkd: twoByTwo(0, 50, 0, 48) }, {}), {
      minimumSites: 2,
    });
    expect(measure<"twoByTwo">(pooled, "htnCkd").sites.withheld).toEqual([
      { hospitalId: 2, reason: "uninformative" },
    ]);
  });

  it("sums incidence strata and gives the rate per 1,000 person-years with the exact interval", () => {
    const pooled = poolQueryResults(
      spec,
      results(
        {
          ckd: {
            persons: [50, 40, 0, 90],
            events: [5, 4, 0, 9],
            personDays: [36_525, 29_220, 0, 65_745],
          },
        },
        {
          ckd: {
            persons: [30, 20, 0, 50],
            events: [5, null, 0, 7],
            personDays: [21_915, null, 0, 36_525],
          },
        },
      ),
      { minimumSites: 2 },
    );
    const ckd = measure<"incidenceRate">(pooled, "ckd");
    const female = ckd.strata?.[0];
    // 10 events in (36,525 + 21,915)/365.25 = 160 person-years: 62.5 per 1,000.
    expect(female).toMatchObject({
      hospitals: [1, 2],
      persons: 80,
      events: 10,
      personDays: 58_440,
    });
    expect(female?.ratePer1000PersonYears).toBeCloseTo(62.5, 12);
    const { lower, upper } = poissonInterval(10);
    expect(female?.lower).toBeCloseTo((lower * 1000) / 160, 9);
    expect(female?.upper).toBeCloseTo((upper * 1000) / 160, 9);
    // Male: only hospital 1 released the stratum, below the minimum of 2.
    expect(ckd.strata?.[1]).toMatchObject({
      hospitals: [1],
      persons: null,
      ratePer1000PersonYears: null,
    });
    expect(ckd.strata?.[3]).toMatchObject({ persons: 140, events: 16, personDays: 102_270 });
    expect(ckd.sites.suppressed).toEqual([2]);
  });

  it("reads quantiles off the summed bins, leaving out a hospital with a suppressed bin", () => {
    const pooled = poolQueryResults(
      spec,
      results(
        { bmiQ: [0, 10, 20, 30, 20, 10, 10] },
        { bmiQ: [10, 10, 10, 10, 10, 10, 0] },
        { bmiQ: [0, null, 20, 30, 20, 10, 10] },
      ),
      { minimumSites: 2 },
    );
    const q = measure<"quantiles">(pooled, "bmiQ");
    expect(q.sites).toEqual({ contributed: [1, 2], suppressed: [3], withheld: [] });
    expect(q.bins?.map((b) => b.count)).toEqual([10, 20, 30, 40, 30, 20, 10]);
    // N = 160: p = 0.25 → 40th value: 10 below 20, 20 in [20, 21), 10 of 30 into [21, 22).
    expect(q.quantiles?.[0]).toBeCloseTo(21 + 10 / 30, 12);
    expect(q.quantiles?.[1]).toBeCloseTo(22.5, 12);
    // p = 0.95 → the 152nd value lies in the open overflow bin (the last 10 values).
    expect(q.quantiles?.[2]).toBeNull();
  });

  it("leaves out a hospital whose measure is missing or of another shape, as malformed", () => {
    const verified = results({}, { omit: ["sex"] }, {});
    const bad = resultDocument(3, { sex: [1, 2, 3] });
    const pooled = poolQueryResults(
      spec,
      [...verified.slice(0, 2), { hospitalId: 3, document: bad }],
      {
        minimumSites: 1,
      },
    );
    expect(measure<"histogram">(pooled, "sex").sites).toEqual({
      contributed: [1],
      suppressed: [],
      withheld: [
        { hospitalId: 2, reason: "malformed" },
        { hospitalId: 3, reason: "malformed" },
      ],
    });
  });

  it("does not depend on the answer order", () => {
    const verified = results({ n: 10, sex: [5, null, 0, 10] }, { n: 20 }, { n: null });
    const forward = poolQueryResults(spec, verified, { minimumSites: 2 });
    const backward = poolQueryResults(spec, [...verified].reverse(), { minimumSites: 2 });
    expect(backward).toEqual(forward);
  });

  it("refuses bad options and documents of another spec", () => {
    expectCustosError(
      () => poolQueryResults(spec, results({}), { minimumSites: 0 }),
      "INVALID_ARGUMENT",
    );
    const duplicate = results({}, {});
    expectCustosError(
      () =>
        poolQueryResults(spec, [duplicate[0], duplicate[0]] as VerifiedHospitalResult[], {
          minimumSites: 1,
        }),
      "INVALID_ARGUMENT",
    );
    const other = resultDocument(1, {}, { specHash: `0x${"99".repeat(32)}` });
    const error = expectCustosError(
      () => poolQueryResults(spec, [{ hospitalId: 1, document: other }], { minimumSites: 1 }),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toMatchObject({ field: "verified[0].document.specHash" });
  });
});

describe("poissonInterval", () => {
  it("gives Garwood's exact limits", () => {
    expect(poissonInterval(0).lower).toBe(0);
    expect(poissonInterval(0).upper).toBeCloseTo(3.688879, 5);
    expect(poissonInterval(1).lower).toBeCloseTo(0.025318, 5);
    expect(poissonInterval(1).upper).toBeCloseTo(5.571643, 5);
    expect(poissonInterval(10).lower).toBeCloseTo(4.795389, 5);
    expect(poissonInterval(10).upper).toBeCloseTo(18.390356, 5);
    expectCustosError(() => poissonInterval(-1), "INVALID_ARGUMENT");
  });
});
