import { describe, expect, it } from "vitest";
import { checkPrivacyModel, computeRiskReport, parseCsv } from "../../src/anonymise/index.ts";

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
});
