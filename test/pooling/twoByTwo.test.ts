import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isInformative,
  mantelHaenszel,
  oddsRatio,
  poolTwoByTwo,
  riskRatio,
  type SiteTwoByTwo,
  type TwoByTwoTable,
} from "../../src/pooling/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { bcgTrials } from "./bcgTrials.ts";

const tables = bcgTrials.map(({ a, b, c, d }) => ({ a, b, c, d }) as TwoByTwoTable);

describe("oddsRatio and riskRatio", () => {
  it("compute the ratio and its Woolf / Katz log standard error", () => {
    const table = { a: 4, b: 119, c: 11, d: 128 };
    const or = oddsRatio(table);
    expect(or?.ratio).toBeCloseTo(512 / 1309, 14);
    expect(or?.standardError).toBeCloseTo(Math.sqrt(1 / 4 + 1 / 119 + 1 / 11 + 1 / 128), 14);
    expect(or?.ratioLower).toBeCloseTo(Math.exp(or?.lower as number), 14);
    expect(or?.corrected).toBe(false);
    const rr = riskRatio(table);
    expect(rr?.ratio).toBeCloseTo(4 / 123 / (11 / 139), 14);
    expect(rr?.standardError).toBeCloseTo(Math.sqrt(1 / 4 - 1 / 123 + 1 / 11 - 1 / 139), 14);
    expect(rr?.corrected).toBe(false);
  });

  it("add 1/2 to every cell only when a cell is 0", () => {
    const or = oddsRatio({ a: 0, b: 20, c: 3, d: 17 });
    expect(or?.corrected).toBe(true);
    expect(or?.ratio).toBeCloseTo((0.5 * 17.5) / (20.5 * 3.5), 14);
    expect(or?.standardError).toBeCloseTo(Math.sqrt(1 / 0.5 + 1 / 20.5 + 1 / 3.5 + 1 / 17.5), 14);
    const rr = riskRatio({ a: 5, b: 0, c: 3, d: 17 });
    expect(rr?.corrected).toBe(true);
    expect(rr?.ratio).toBeCloseTo(5.5 / 6 / (3.5 / 21), 14);
  });

  it("return null for a table without information on the ratio", () => {
    for (const table of [
      { a: 0, b: 50, c: 0, d: 48 }, // no events
      { a: 7, b: 0, c: 9, d: 0 }, // no non-events
      { a: 0, b: 0, c: 9, d: 40 }, // nobody exposed
      { a: 3, b: 30, c: 0, d: 0 }, // nobody unexposed
    ]) {
      expect(isInformative(table)).toBe(false);
      expect(oddsRatio(table)).toBeNull();
      expect(riskRatio(table)).toBeNull();
    }
  });

  it("refuse a cell that is not a count, naming it", () => {
    expect(
      expectCustosError(() => oddsRatio({ a: 1, b: -2, c: 3, d: 4 }), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "b" });
    expect(
      expectCustosError(() => riskRatio({ a: 1, b: 2, c: 0.5, d: 4 }), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "c" });
    expectCustosError(() => riskRatio(null as never), "INVALID_ARGUMENT");
  });
});

describe("mantelHaenszel", () => {
  it("reproduces the BCG trials' Mantel–Haenszel estimates (metafor / Stata metan figures)", () => {
    // metafor tests/testthat/test_misc_metan_vs_rma.mh_with_dat.bcg.r.
    const rr = mantelHaenszel(tables, "riskRatio");
    expect(rr?.estimate).toBeCloseTo(-0.4537, 4);
    expect(rr?.lower).toBeCloseTo(-0.5308, 4);
    expect(rr?.upper).toBeCloseTo(-0.3766, 4);
    expect(rr?.z).toBeCloseTo(-11.5338, 4);
    expect(rr?.ratio).toBeCloseTo(0.6353, 4);
    const or = mantelHaenszel(tables, "oddsRatio");
    expect(or?.estimate).toBeCloseTo(-0.4734, 4);
    expect(or?.lower).toBeCloseTo(-0.5538, 4);
    expect(or?.upper).toBeCloseTo(-0.393, 4);
    expect(or?.z).toBeCloseTo(-11.5444, 4);
    expect(or?.ratio).toBeCloseTo(0.6229, 4);
  });

  it("agrees with the RGB and Greenland–Robins formulas written out", () => {
    let [r, s, pr, psqr, qs] = [0, 0, 0, 0, 0];
    let [num, den, v] = [0, 0, 0];
    for (const { a, b, c, d } of tables) {
      const n = a + b + c + d;
      const [P, Q, R, S] = [(a + d) / n, (b + c) / n, (a * d) / n, (b * c) / n];
      r += R;
      s += S;
      pr += P * R;
      psqr += P * S + Q * R;
      qs += Q * S;
      num += (a * (c + d)) / n;
      den += (c * (a + b)) / n;
      v += ((a + b) * (c + d) * (a + c) - a * c * n) / n ** 2;
    }
    const or = mantelHaenszel(tables, "oddsRatio");
    expect(or?.ratio).toBeCloseTo(r / s, 13);
    expect(or?.standardError).toBeCloseTo(
      Math.sqrt(pr / (2 * r * r) + psqr / (2 * r * s) + qs / (2 * s * s)),
      13,
    );
    const rr = mantelHaenszel(tables, "riskRatio");
    expect(rr?.ratio).toBeCloseTo(num / den, 13);
    expect(rr?.standardError).toBeCloseTo(Math.sqrt(v / (num * den)), 13);
  });

  it("equals the table's own odds ratio for a single table without zeros", () => {
    // One stratum: OR_MH = ad/bc and the RGB variance reduces to Woolf's.
    const table = { a: 12, b: 30, c: 7, d: 41 };
    const mh = mantelHaenszel([table], "oddsRatio");
    const own = oddsRatio(table);
    expect(mh?.estimate).toBeCloseTo(own?.estimate as number, 13);
    expect(mh?.standardError).toBeCloseTo(own?.standardError as number, 13);
  });

  it("uses zero cells as they are and is null when undefined", () => {
    expect(mantelHaenszel([{ a: 0, b: 10, c: 5, d: 10 }], "oddsRatio")).toBeNull();
    expect(mantelHaenszel([{ a: 0, b: 0, c: 0, d: 0 }], "riskRatio")).toBeNull();
    expect(mantelHaenszel([], "oddsRatio")).toBeNull();
    expect(mantelHaenszel([{ a: 3, b: 0, c: 4, d: 0 }], "riskRatio")).toBeNull();
    const withZero = mantelHaenszel(
      [
        { a: 0, b: 10, c: 5, d: 10 },
        { a: 4, b: 10, c: 5, d: 10 },
      ],
      "oddsRatio",
    );
    expect(withZero?.ratio).toBeCloseTo(40 / 29 / (50 / 25 + 50 / 29), 13);
  });

  it("refuses a bad measure or cell, naming the field", () => {
    expect(
      expectCustosError(() => mantelHaenszel(tables, "hazardRatio" as never), "INVALID_ARGUMENT")
        .details,
    ).toMatchObject({ field: "measure" });
    expect(
      expectCustosError(
        () =>
          mantelHaenszel(
            [
              { a: 1, b: 2, c: 3, d: 4 },
              { a: 1, b: 2, c: 3, d: Number.NaN },
            ],
            "oddsRatio",
          ),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "tables[1].d" });
    expect(
      expectCustosError(() => mantelHaenszel({} as never, "oddsRatio"), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "tables" });
  });
});

describe("poolTwoByTwo", () => {
  it("pools the BCG trials as metafor does (MH, fixed and DerSimonian–Laird)", () => {
    const rr = poolTwoByTwo(bcgTrials, "riskRatio");
    expect(rr.sites).toHaveLength(13);
    expect(rr.excludedSites).toEqual([]);
    expect(rr.mantelHaenszel?.estimate).toBeCloseTo(-0.4537, 4);
    expect(rr.fixed?.estimate).toBeCloseTo(-0.4303, 4);
    expect(rr.fixed?.ratio).toBeCloseTo(0.6503, 4);
    expect(rr.random?.estimate).toBeCloseTo(-0.7141, 4);
    expect(rr.random?.ratio).toBeCloseTo(0.4896, 4);
    expect(rr.random?.ratioLower).toBeCloseTo(0.3449, 4);
    expect(rr.random?.ratioUpper).toBeCloseTo(0.695, 4);
    expect(rr.heterogeneity?.tauSquared).toBeCloseTo(0.3088, 4);
    expect(rr.heterogeneity?.iSquared).toBeCloseTo(92.1173, 4);
    expect(rr.heterogeneity?.q).toBeCloseTo(152.233, 3);
    const or = poolTwoByTwo(bcgTrials, "oddsRatio");
    expect(or.mantelHaenszel?.estimate).toBeCloseTo(-0.4734, 4);
    expect(or.fixed?.estimate).toBeCloseTo(-0.4361, 4);
    expect(or.heterogeneity?.q).toBeCloseTo(163.1649, 4);
    expect(or.random?.estimate).toBeCloseTo(-0.7474, 4);
    expect(or.heterogeneity?.tauSquared).toBeCloseTo(0.3663, 4);
    expect(or.heterogeneity?.iSquared).toBeCloseTo(92.6455, 4);
    expect(or.perSite[0]).toMatchObject({ site: "01 Aronson 1948", corrected: false });
    expect(or.perSite[0]?.ratio).toBeCloseTo(512 / 1309, 14);
  });

  it("excludes and lists suppressed and uninformative sites from every estimate", () => {
    const sites: SiteTwoByTwo[] = [
      ...bcgTrials.slice(0, 5),
      { site: "X suppressed", a: null, b: 200, c: 12, d: 190 },
      { site: "Y no events", a: 0, b: 150, c: 0, d: 160 },
    ];
    const pooled = poolTwoByTwo(sites, "oddsRatio");
    const reference = poolTwoByTwo(bcgTrials.slice(0, 5), "oddsRatio");
    expect(pooled.excludedSites).toEqual([
      { site: "X suppressed", reason: "suppressed" },
      { site: "Y no events", reason: "uninformative" },
    ]);
    expect(pooled.sites).toEqual(reference.sites);
    expect(pooled.mantelHaenszel).toEqual(reference.mantelHaenszel);
    expect(pooled.random).toEqual(reference.random);
  });

  it("is null throughout when no site contributes", () => {
    expect(poolTwoByTwo([{ site: "A", a: null, b: null, c: 1, d: 2 }], "riskRatio")).toEqual({
      measure: "riskRatio",
      perSite: [],
      mantelHaenszel: null,
      fixed: null,
      random: null,
      heterogeneity: null,
      sites: [],
      excludedSites: [{ site: "A", reason: "suppressed" }],
    });
  });

  it("does not depend on the order of the sites", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...bcgTrials], { minLength: 13 }), (shuffled) => {
        expect(poolTwoByTwo(shuffled, "riskRatio")).toEqual(poolTwoByTwo(bcgTrials, "riskRatio"));
      }),
      { seed: 1, numRuns: 30 },
    );
  });

  it("keeps I² in [0, 100] for any tables", () => {
    const table = fc.record({
      a: fc.nat(60),
      b: fc.nat(60),
      c: fc.nat(60),
      d: fc.nat(60),
    });
    fc.assert(
      fc.property(fc.array(table, { minLength: 1, maxLength: 10 }), (list) => {
        const sites = list.map((t, i) => ({ site: `S${i}`, ...t }));
        for (const measure of ["oddsRatio", "riskRatio"] as const) {
          const pooled = poolTwoByTwo(sites, measure);
          expect(pooled.sites.length + pooled.excludedSites.length).toBe(sites.length);
          const i2 = pooled.heterogeneity?.iSquared ?? 0;
          expect(i2).toBeGreaterThanOrEqual(0);
          expect(i2).toBeLessThanOrEqual(100);
          for (const e of [pooled.mantelHaenszel, pooled.fixed, pooled.random]) {
            if (e !== null) expect(Number.isFinite(e.estimate) && e.standardError > 0).toBe(true);
          }
        }
      }),
      { seed: 8, numRuns: 200 },
    );
  });

  it("refuses a bad measure, a bad cell or a missing cell, naming the field and site", () => {
    expect(
      expectCustosError(() => poolTwoByTwo(bcgTrials, "rr" as never), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "measure" });
    expect(
      expectCustosError(
        () => poolTwoByTwo([{ site: "H1", a: 1, b: 2, c: -3, d: 4 }], "oddsRatio"),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "c", site: "H1" });
    expect(
      expectCustosError(
        () => poolTwoByTwo([{ site: "H1", a: 1, b: 2, c: 3 } as never], "oddsRatio"),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "d", site: "H1" });
    expect(
      expectCustosError(
        () => poolTwoByTwo([{ site: "H1", a: null, b: 2.5, c: 3, d: 4 }], "oddsRatio"),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "b", site: "H1" });
  });
});
