import { describe, expect, it } from "vitest";
import { categoryNamesOf, purposeLabelOf, purposeLabelsOf } from "../../src/audit/index.ts";

describe("code labels", () => {
  it("names a single purpose bit, and nothing else", () => {
    expect(purposeLabelOf(1)).toBe("NRES");
    expect(purposeLabelOf(1 << 5)).toBe("CC");
    expect(purposeLabelOf(1 << 8)).toBe("NCU");
    expect(purposeLabelOf(3)).toBeNull();
    expect(purposeLabelOf(1 << 6)).toBeNull();
    expect(purposeLabelOf(0)).toBeNull();
  });

  it("lists a word's labels in bit order, skipping unknown bits", () => {
    expect(purposeLabelsOf((1 << 21) | (1 << 2) | (1 << 7) | (1 << 8))).toEqual([
      "HMB",
      "NCU",
      "IS",
    ]);
    expect(purposeLabelsOf(0)).toEqual([]);
    expect(categoryNamesOf((1 << 13) | 1 | (1 << 14))).toEqual(["DEMOGRAPHICS", "COSTS"]);
  });
});
