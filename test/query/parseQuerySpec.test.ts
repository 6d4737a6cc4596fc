import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors/index.ts";
import { dimensionCategories, parseQuerySpec, querySpecHash } from "../../src/query/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const fixture = new URL("../fixtures/query/diabetes.spec.json", import.meta.url);
const text = readFileSync(fixture, "utf8");
const spec = () => JSON.parse(text);

function fieldOf(mutate: (s: ReturnType<typeof spec>) => void, code: ErrorCode): unknown {
  const s = spec();
  mutate(s);
  return expectCustosError(() => parseQuerySpec(s), code).details.field;
}

describe("parseQuerySpec", () => {
  it("normalises a spec into one that parses to itself", () => {
    const parsed = parseQuerySpec(spec());
    expect(parseQuerySpec(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    expect(parsed.conceptSets.metformin?.include[0]).toEqual({
      conceptId: 1503297,
      descendants: false,
    });
    expect(parsed.conceptSets.metformin?.exclude).toEqual([]);
    expect(parsed.cohort.inclusion[0]).toEqual({
      name: "adults",
      ageAtIndex: { min: 18, max: null },
    });
    expect(parsed.cohort.inclusion[2]).toEqual({
      name: "no CKD before",
      hasNot: { domain: "condition", conceptSet: "ckd", window: { startDays: null, endDays: -1 } },
    });
  });

  it("gives specs that mean the same thing the same hash, and different ones another", () => {
    const base = querySpecHash(spec());
    const reordered = spec();
    const { measures, ...rest } = reordered;
    expect(querySpecHash({ measures, ...rest })).toBe(base);
    const explicit = spec();
    explicit.conceptSets.metformin.include[0].descendants = false;
    explicit.conceptSets.metformin.exclude = [];
    explicit.cohort.index.occurrence = "first";
    expect(querySpecHash(explicit)).toBe(base);
    const other = spec();
    other.cohort.observation.priorDays = 31;
    expect(querySpecHash(other)).not.toBe(base);
    expect(base).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("names the field of an unknown key, a wrong type and a dangling reference", () => {
    expect(fieldOf((s) => (s.cohort.extra = 1), "QUERY_SPEC_INVALID")).toBe("/cohort/extra");
    expect(fieldOf((s) => (s.measures[1].by[0].width = "10"), "QUERY_SPEC_INVALID")).toBe(
      "/measures/1/by/0/width",
    );
    expect(fieldOf((s) => (s.cohort.index.conceptSet = "nope"), "QUERY_SPEC_INVALID")).toBe(
      "/cohort/index/conceptSet",
    );
    expect(fieldOf((s) => (s.version = 2), "QUERY_SPEC_INVALID")).toBe("/version");
    expect(fieldOf((s) => delete s.measures, "QUERY_SPEC_INVALID")).toBe("/measures");
    expect(fieldOf((s) => (s.measures[0].name = "1bad"), "QUERY_SPEC_INVALID")).toBe(
      "/measures/0/name",
    );
    expect(fieldOf((s) => (s.measures[1].name = "n"), "QUERY_SPEC_INVALID")).toBe(
      "/measures/1/name",
    );
    expect(fieldOf((s) => (s.cohort.inclusion[0].sex = ["female"]), "QUERY_SPEC_INVALID")).toBe(
      "/cohort/inclusion/0",
    );
    expect(
      fieldOf((s) => (s.cohort.inclusion[1].has.window.startDays = 400), "QUERY_SPEC_INVALID"),
    ).toBe("/cohort/inclusion/1/has/window/endDays");
    expect(
      fieldOf((s) => (s.conceptSets["bad/name"] = s.conceptSets.t2d), "QUERY_SPEC_INVALID"),
    ).toBe("/conceptSets/bad~1name");
    expect(fieldOf((s) => (s.measures[4].measurement.value = "mean"), "QUERY_SPEC_INVALID")).toBe(
      "/measures/4/measurement/value",
    );
    expect(fieldOf((s) => (s.measures[5].bins.width = 0.3), "QUERY_SPEC_INVALID")).toBe(
      "/measures/5/bins/width",
    );
    expectCustosError(() => parseQuerySpec("not an object"), "QUERY_SPEC_INVALID");
    expectCustosError(() => parseQuerySpec(null), "QUERY_SPEC_INVALID");
  });

  it("refuses row-level output and free SQL by name", () => {
    expect(fieldOf((s) => (s.measures[0].type = "rows"), "QUERY_ROW_LEVEL_REFUSED")).toBe(
      "/measures/0/type",
    );
    expect(
      fieldOf((s) => s.measures.push({ name: "x", type: "extract" }), "QUERY_ROW_LEVEL_REFUSED"),
    ).toBe("/measures/7/type");
    expect(fieldOf((s) => (s.cohort.sql = "select * from person"), "QUERY_ROW_LEVEL_REFUSED")).toBe(
      "/cohort/sql",
    );
    expect(fieldOf((s) => (s.cohort.inclusion[0].where = "1=1"), "QUERY_ROW_LEVEL_REFUSED")).toBe(
      "/cohort/inclusion/0/where",
    );
  });

  it("refuses measures no disclosure rule can release", () => {
    expect(fieldOf((s) => (s.measures[5].probabilities = [0, 0.5]), "QUERY_MEASURE_REFUSED")).toBe(
      "/measures/5/probabilities/0",
    );
    expect(fieldOf((s) => (s.measures[5].probabilities = [0.5, 1]), "QUERY_MEASURE_REFUSED")).toBe(
      "/measures/5/probabilities/1",
    );
    expect(
      fieldOf((s) => (s.measures[4].statistics = ["mean", "max"]), "QUERY_MEASURE_REFUSED"),
    ).toBe("/measures/4/statistics");
    expect(fieldOf((s) => (s.measures[1].by[0].width = 1), "QUERY_MEASURE_REFUSED")).toBe(
      "/measures/1/by/0/width",
    );
    expect(
      fieldOf(
        (s) => (s.measures[5].bins = { lower: 0, upper: 100, width: 0.1 }),
        "QUERY_MEASURE_REFUSED",
      ),
    ).toBe("/measures/5/bins");
    const error = expectCustosError(() => {
      const s = spec();
      s.measures[2].by[0] = { dimension: "indexYear", from: 1900, to: 2200 };
      s.measures[2].by.push({ dimension: "ageBand", width: 5 });
      parseQuerySpec(s);
    }, "QUERY_MEASURE_REFUSED");
    expect(error.details.rule).toBe("maxCells");
  });

  it("lists dimension categories in release order, the last age band open", () => {
    expect(dimensionCategories({ dimension: "sex" })).toEqual(["female", "male", "other"]);
    expect(dimensionCategories({ dimension: "ageBand", width: 10 })).toEqual([
      "0-9",
      "10-19",
      "20-29",
      "30-39",
      "40-49",
      "50-59",
      "60-69",
      "70-79",
      "80-89",
      "90+",
    ]);
    expect(dimensionCategories({ dimension: "ageBand", width: 20 }).at(-1)).toBe("100+");
    expect(dimensionCategories({ dimension: "indexYear", from: 2020, to: 2022 })).toEqual([
      "<2020",
      "2020",
      "2021",
      "2022",
      ">2022",
    ]);
  });
});
