import { describe, expect, it } from "vitest";
import {
  createZip3PopulationTable,
  SAFE_HARBOR_ZIP3_MIN_POPULATION,
  sampleZip3PopulationTable,
} from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("createZip3PopulationTable", () => {
  it("looks populations up and refuses malformed entries", () => {
    const populations = createZip3PopulationTable({ "123": 45_000 });
    expect(populations.population("123")).toBe(45_000);
    expect(populations.population("124")).toBeUndefined();
    expect(
      expectCustosError(() => createZip3PopulationTable({ "12": 1 }), "INVALID_ARGUMENT").details,
    ).toMatchObject({
      zip3: "12",
    });
    expect(
      expectCustosError(() => createZip3PopulationTable({ "123": -1 }), "INVALID_ARGUMENT").details,
    ).toMatchObject({
      field: "population",
    });
  });

  it("sample table straddles the Safe Harbor threshold", () => {
    expect(sampleZip3PopulationTable.population("200")).toBe(SAFE_HARBOR_ZIP3_MIN_POPULATION + 1);
    expect(sampleZip3PopulationTable.population("300")).toBe(SAFE_HARBOR_ZIP3_MIN_POPULATION);
  });
});
