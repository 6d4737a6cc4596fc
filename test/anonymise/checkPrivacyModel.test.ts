import { describe, expect, it } from "vitest";
import {
  checkPrivacyModel,
  computeRiskReport,
  createHierarchy,
  parseCsv,
} from "../../src/anonymise/index.ts";

// Two released classes: {a: x,x,y} and {b: x,y,z}; the last row is suppressed.
const output = parseCsv("q,s\na,1\na,1\na,2\nb,1\nb,2\nb,3\n*,3");
const suppressed = Uint8Array.from([0, 0, 0, 0, 0, 0, 1]);
const check = (model: Parameters<typeof checkPrivacyModel>[3]) =>
  checkPrivacyModel(output, ["q"], suppressed, model).violatingClasses;

describe("checkPrivacyModel (independent verification)", () => {
  it("checks k-anonymity and ℓ-diversity per released class", () => {
    expect(check({ type: "k-anonymity", k: 3 })).toBe(0);
    expect(check({ type: "k-anonymity", k: 4 })).toBe(2);
    expect(check({ type: "distinct-l-diversity", attribute: "s", l: 3 })).toBe(1);
    expect(check({ type: "entropy-l-diversity", attribute: "s", l: 3 })).toBe(1);
    expect(check({ type: "entropy-l-diversity", attribute: "s", l: 1.9 })).toBe(1);
    expect(check({ type: "entropy-l-diversity", attribute: "s", l: 1.8 })).toBe(0);
    expect(check({ type: "recursive-cl-diversity", attribute: "s", c: 2, l: 2 })).toBe(1);
    expect(check({ type: "recursive-cl-diversity", attribute: "s", c: 2.1, l: 2 })).toBe(0);
  });

  it("computes both EMD ground distances against the whole column", () => {
    // Global distribution over all 7 rows: 1 → 3/7, 2 → 2/7, 3 → 2/7.
    // Class a: (2/3, 1/3, 0): equal EMD = (|2/3−3/7| + |1/3−2/7| + 2/7)/2 = 2/7 ≈ 0.2857.
    expect(check({ type: "t-closeness", attribute: "s", t: 0.28, distance: "equal" })).toBe(1);
    expect(check({ type: "t-closeness", attribute: "s", t: 0.29, distance: "equal" })).toBe(0);
    // Ordered EMD for class a: cumulative differences (5/21, 2/7) over m−1 = 2 → 11/42 ≈ 0.262.
    expect(check({ type: "t-closeness", attribute: "s", t: 0.26, distance: "ordered" })).toBe(1);
    expect(check({ type: "t-closeness", attribute: "s", t: 0.27, distance: "ordered" })).toBe(0);
  });

  it("checks the average re-identification risk of the release", () => {
    expect(
      checkPrivacyModel(output, ["q"], suppressed, { type: "average-risk", threshold: 0.34 }),
    ).toEqual({ satisfied: true, violatingClasses: 0 });
    expect(
      checkPrivacyModel(output, ["q"], suppressed, { type: "average-risk", threshold: 0.3 })
        .satisfied,
    ).toBe(false);
  });
});

describe("checkPrivacyModel for k-map", () => {
  // Released: 20-24 ×2 (hierarchy label), 30-39 ×1 (a Mondrian range), 45 ×1, one suppressed.
  const release = parseCsv("age\n20-24\n20-24\n30-39\n45\n*");
  const hidden = Uint8Array.from([0, 0, 0, 0, 1]);
  const age = createHierarchy([
    ["21", "20-24", "*"],
    ["22", "20-24", "*"],
    ["25", "25-29", "*"],
    ["33", "30-34", "*"],
    ["38", "35-39", "*"],
    ["45", "45-49", "*"],
  ]);
  // 20-24 covers 21, 22 (3 records); 30-39 covers 33, 38 numerically (2); 45 itself (1).
  const population = parseCsv("age\n21\n21\n22\n25\n33\n38\n45");
  const verdict = (k: number) =>
    checkPrivacyModel(
      release,
      ["age"],
      hidden,
      { type: "k-map", k, population },
      { hierarchies: { age } },
    );

  it("counts population records under hierarchy labels and inside range labels", () => {
    expect(verdict(1)).toEqual({ satisfied: true, violatingClasses: 0 });
    expect(verdict(2)).toEqual({ satisfied: false, violatingClasses: 1 });
    expect(verdict(3)).toEqual({ satisfied: false, violatingClasses: 2 });
    expect(verdict(4)).toEqual({ satisfied: false, violatingClasses: 3 });
  });

  it("reads negative ranges written [low, high]", () => {
    const negative = parseCsv("t;u\n[-5, 2];a\n[-5, 2];b", { separator: ";" });
    const readings = parseCsv("t\n-5\n-1\n2\n3");
    expect(
      checkPrivacyModel(negative, ["t"], new Uint8Array(2), {
        type: "k-map",
        k: 3,
        population: readings,
      }).satisfied,
    ).toBe(true);
    expect(
      checkPrivacyModel(negative, ["t"], new Uint8Array(2), {
        type: "k-map",
        k: 4,
        population: readings,
      }).satisfied,
    ).toBe(false);
  });

  it("checks an estimated k-map as k′-anonymity over all rows of the output", () => {
    // samplingFraction 0.1 and k = 10: λ = 1, and α = 0.05 gives k′ = 5 (Poisson) and 4
    // (zero-truncated), uncapped by n = 7; the two classes hold 3 records each.
    const estimated = (estimator: "poisson" | "zero-truncated-poisson", k: number) =>
      check({ type: "k-map", k, estimator, significanceLevel: 0.05, samplingFraction: 0.1 });
    expect(estimated("poisson", 10)).toBe(2);
    expect(estimated("zero-truncated-poisson", 10)).toBe(2);
    // k = 3 stops at k′ = 3: both classes pass.
    expect(estimated("poisson", 3)).toBe(0);
  });
});

describe("computeRiskReport", () => {
  it("reports prosecutor, journalist and marketer risk and class statistics", () => {
    const report = computeRiskReport([5, 7, 5, 0], 3);
    expect(report.prosecutor).toEqual({ highest: 0.2, average: 3 / 17, recordsAtHighestRisk: 10 });
    expect(report.journalist).toEqual(report.prosecutor);
    expect(report.marketer.average).toBe(3 / 17);
    expect(report.classes).toEqual({ count: 3, minSize: 5, maxSize: 7, averageSize: 17 / 3 });
    expect(report.releasedRecords).toBe(17);
    expect(report.suppressedRecords).toBe(3);
    expect(computeRiskReport([], 4).prosecutor.highest).toBe(0);
  });

  it("links against a k-map population when its class sizes are given", () => {
    const report = computeRiskReport([5, 7], 0, [20, 70]);
    expect(report.population).toEqual({
      minClassSize: 20,
      highest: 0.05,
      recordsAtHighestRisk: 5,
      average: (5 / 20 + 7 / 70) / 12,
    });
    expect(report.journalist).toEqual({
      highest: 0.05,
      average: (5 / 20 + 7 / 70) / 12,
      recordsAtHighestRisk: 5,
    });
    expect(report.prosecutor.highest).toBe(0.2);
    expect(computeRiskReport([5], 0).population).toBeUndefined();
  });
});
