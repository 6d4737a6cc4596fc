import { describe, expect, it } from "vitest";
import { parseQuerySpec } from "../../../src/query/parseQuerySpec.ts";
import type { MeasureAggregate } from "../../../src/query/QueryAggregates.ts";
import { evaluateReference, ReferenceUnknownConceptError } from "./evaluateReference.ts";
import {
  day,
  FEMALE,
  MALE,
  measurement,
  omopData,
  period,
  person,
  querySpec,
  record,
} from "./referenceFixtures.ts";

const T2D = 100;
const DRUG = 200;
const CKD = 300;
const BMI = 400;
const KG_M2 = 9531;
const KG = 9529;
const INDEX = "2020-01-01";
const I = day(INDEX);

/** The one measure of a result. */
function only(measures: readonly MeasureAggregate[]): MeasureAggregate {
  expect(measures).toHaveLength(1);
  return measures[0] as MeasureAggregate;
}

const steps = (result: ReturnType<typeof evaluateReference>) =>
  result.aggregates.attrition.map((s) => s.persons);

describe("windows", () => {
  // Five persons indexed on 2020-01-10; drug records at index −1, +0, +365, +366 days.
  const index = day("2020-01-10");
  const data = omopData({
    person: [1, 2, 3, 4, 5].map((id) => person(id, 1970)),
    observationPeriod: [1, 2, 3, 4, 5].map((id) => period(id, "2000-01-01", "2030-12-31")),
    conditionOccurrence: [1, 2, 3, 4, 5].map((id) => record(id, T2D, index)),
    drugExposure: [
      record(1, DRUG, index),
      record(2, DRUG, index + 365),
      record(3, DRUG, index + 366),
      record(4, DRUG, index - 1),
    ],
  });

  it("include both ends: [0, 365] holds days 0 and 365, not −1 or 366", () => {
    const spec = querySpec(
      { t2d: [T2D], drug: [DRUG] },
      {
        index: { domain: "condition", conceptSet: "t2d" },
        inclusion: [
          {
            name: "drug in a year",
            has: { domain: "drug", conceptSet: "drug", window: { startDays: 0, endDays: 365 } },
          },
        ],
      },
    );
    const result = evaluateReference(data, spec, [1, 2, 3, 4, 5]);
    expect(result.aggregates.attrition).toEqual([
      { step: "index event", persons: 5 },
      { step: "observation", persons: 5 },
      { step: "drug in a year", persons: 2 },
    ]);
    expect(result.cohortPersonIds).toEqual([1, 2]);
    expect(result.aggregates.cohortSize).toBe(2);
  });

  it("an omitted end is unbounded on that side", () => {
    const onlyEnd = querySpec(
      { t2d: [T2D], drug: [DRUG] },
      {
        index: { domain: "condition", conceptSet: "t2d" },
        inclusion: [
          {
            name: "up to 365",
            has: { domain: "drug", conceptSet: "drug", window: { endDays: 365 } },
          },
        ],
      },
    );
    // −1, 0 and 365 are all at most 365 days after the index date.
    expect(evaluateReference(data, onlyEnd, [1, 2, 3, 4, 5]).cohortPersonIds).toEqual([1, 2, 4]);
    const onlyStart = querySpec(
      { t2d: [T2D], drug: [DRUG] },
      {
        index: { domain: "condition", conceptSet: "t2d" },
        inclusion: [
          { name: "from 1", has: { domain: "drug", conceptSet: "drug", window: { startDays: 1 } } },
        ],
      },
    );
    expect(evaluateReference(data, onlyStart, [1, 2, 3, 4, 5]).cohortPersonIds).toEqual([2, 3]);
  });

  it("hasNot with { endDays: -1 } looks back without limit and excludes the index day", () => {
    const ckd = omopData({
      person: [1, 2, 3, 4].map((id) => person(id, 1970)),
      observationPeriod: [1, 2, 3, 4].map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: [
        ...[1, 2, 3, 4].map((id) => record(id, T2D, I)),
        record(1, CKD, day("1950-01-01")), // decades before: excluded
        record(2, CKD, I), // on the index day: kept
        record(2, CKD, I + 20_000), // far after: outcome of the 2×2 below
        record(3, CKD, I - 1), // the day before: excluded
      ],
      drugExposure: [record(2, DRUG, day("1900-01-01"))],
    });
    const spec = querySpec(
      { t2d: [T2D], ckd: [CKD], drug: [DRUG] },
      {
        index: { domain: "condition", conceptSet: "t2d" },
        inclusion: [
          {
            name: "no CKD before",
            hasNot: { domain: "condition", conceptSet: "ckd", window: { endDays: -1 } },
          },
        ],
      },
      [
        {
          name: "t",
          type: "twoByTwo",
          exposure: { domain: "drug", conceptSet: "drug" },
          outcome: { domain: "condition", conceptSet: "ckd", window: { startDays: 1 } },
        },
      ],
    );
    const result = evaluateReference(ckd, spec, [1, 2, 3, 4]);
    expect(steps(result)).toEqual([4, 4, 2]);
    expect(result.cohortPersonIds).toEqual([2, 4]);
    // Person 2: a drug in 1900 (no window), CKD 20,000 days after; person 4: neither.
    expect(only(result.aggregates.measures)).toEqual({
      name: "t",
      type: "twoByTwo",
      counts: [1, 0, 0, 1],
    });
  });
});

describe("the index event", () => {
  // Person 1: T2D in 2015, 2018, 2021. Person 2: 2019. Person 3: 2005 (outside observation)
  // and 2012 (inside).
  const data = omopData({
    person: [1, 2, 3].map((id) => person(id, 1970)),
    observationPeriod: [1, 2, 3].map((id) => period(id, "2010-01-01", "2025-12-31")),
    conditionOccurrence: [
      record(1, T2D, day("2018-06-01")),
      record(1, T2D, day("2021-09-01")),
      record(1, T2D, day("2015-03-01")),
      record(2, T2D, day("2019-01-01")),
      record(3, T2D, day("2012-01-01")),
      record(3, T2D, day("2005-01-01")),
    ],
    drugExposure: [record(1, DRUG, day("2021-09-11"))],
  });
  const spec = (occurrence: "first" | "last", inclusion: unknown[] = []) =>
    querySpec(
      { t2d: [T2D], drug: [DRUG] },
      { index: { domain: "condition", conceptSet: "t2d", occurrence }, inclusion },
      [
        {
          name: "years",
          type: "histogram",
          by: [{ dimension: "indexYear", from: 2015, to: 2021 }],
        },
      ],
    );

  it("is the first record; a first event outside observation is not replaced by a later one", () => {
    const result = evaluateReference(data, spec("first"), [1, 2, 3]);
    expect(steps(result)).toEqual([3, 2]);
    expect(result.cohortPersonIds).toEqual([1, 2]);
    expect(only(result.aggregates.measures)).toEqual({
      name: "years",
      type: "histogram",
      dimensions: [
        {
          name: "indexYear",
          categories: ["<2015", "2015", "2016", "2017", "2018", "2019", "2020", "2021", ">2021"],
        },
      ],
      // Person 1 in 2015, person 2 in 2019.
      counts: [0, 1, 0, 0, 0, 1, 0, 0, 0],
    });
  });

  it("is the last record with occurrence: last", () => {
    const result = evaluateReference(data, spec("last"), [1, 2, 3]);
    expect(steps(result)).toEqual([3, 3]);
    const years = only(result.aggregates.measures);
    // Person 3 in 2012 (<2015), person 2 in 2019, person 1 in 2021.
    expect(years.type === "histogram" && years.counts).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it("windows count from the chosen index date", () => {
    const rule = {
      name: "drug within 30 days",
      has: { domain: "drug", conceptSet: "drug", window: { startDays: 0, endDays: 30 } },
    };
    expect(evaluateReference(data, spec("first", [rule]), [1, 2, 3]).cohortPersonIds).toEqual([]);
    expect(evaluateReference(data, spec("last", [rule]), [1, 2, 3]).cohortPersonIds).toEqual([1]);
  });
});

describe("the observation requirement", () => {
  // 1: index 2020-01-10 in a 2020 period (9 days before, 356 after).
  // 2: index 2020-12-21 in a 2020 period (355 before, 10 after).
  // 3: index on its period's first day. 4: index between two periods.
  // 5: index 2020-01-05, 4 days into its second period (an earlier period does not count).
  const data = omopData({
    person: [1, 2, 3, 4, 5].map((id) => person(id, 1970)),
    observationPeriod: [
      period(1, "2020-01-01", "2020-12-31"),
      period(2, "2020-01-01", "2020-12-31"),
      period(3, "2020-01-01", "2020-12-31"),
      period(4, "2019-01-01", "2019-12-31"),
      period(4, "2021-01-01", "2021-12-31"),
      period(5, "2018-01-01", "2018-12-31"),
      period(5, "2020-01-01", "2020-12-31"),
    ],
    conditionOccurrence: [
      record(1, T2D, day("2020-01-10")),
      record(2, T2D, day("2020-12-21")),
      record(3, T2D, day("2020-01-01")),
      record(4, T2D, day("2020-06-01")),
      record(5, T2D, day("2020-01-05")),
    ],
  });
  const cohort = (priorDays: number, postDays: number) => {
    const spec = querySpec(
      { t2d: [T2D] },
      { index: { domain: "condition", conceptSet: "t2d" }, observation: { priorDays, postDays } },
    );
    const result = evaluateReference(data, spec, [1, 2, 3, 4, 5]);
    expect(result.aggregates.attrition[0]).toEqual({ step: "index event", persons: 5 });
    return result.cohortPersonIds;
  };

  it("needs the index date inside a period", () => {
    expect(cohort(0, 0)).toEqual([1, 2, 3, 5]);
  });

  it("counts prior days from the containing period's start, boundary inclusive", () => {
    expect(cohort(4, 0)).toEqual([1, 2, 5]);
    expect(cohort(5, 0)).toEqual([1, 2]);
    expect(cohort(9, 0)).toEqual([1, 2]);
    expect(cohort(10, 0)).toEqual([2]);
  });

  it("overlapping periods: their intersection must meet the requirement, and ends the time at risk", () => {
    // docs/query.md: periods holding the index date count as their intersection.
    const overlapping = omopData({
      person: [person(1, 1970), person(2, 1970)],
      observationPeriod: [
        period(1, "2019-01-01", "2020-03-01"),
        period(1, "2020-01-01", "2021-12-31"),
        period(2, "2019-01-01", "2020-03-01"),
        period(2, "2019-10-01", "2021-12-31"),
      ],
      conditionOccurrence: [
        record(1, T2D, day("2020-02-01")),
        record(2, T2D, day("2020-02-01")),
        record(2, CKD, day("2020-06-01")),
      ],
    });
    const spec = querySpec(
      { t2d: [T2D], ckd: [CKD] },
      { index: { domain: "condition", conceptSet: "t2d" }, observation: { priorDays: 60 } },
      [
        {
          name: "ckd",
          type: "incidenceRate",
          outcome: { domain: "condition", conceptSet: "ckd" },
          timeAtRisk: { startDays: 0, endDays: 1000 },
        },
      ],
    );
    const result = evaluateReference(overlapping, spec, [1, 2]);
    // Person 1: the intersection starts 2020-01-01, 31 days before the index: out. Person 2:
    // it starts 2019-10-01 (123 days before) and ends 2020-03-01: at risk 2020-02-01 … 03-01.
    expect(result.cohortPersonIds).toEqual([2]);
    const m = only(result.aggregates.measures);
    expect(m.type === "incidenceRate" && m.strata).toEqual([
      { persons: 1, events: 0, personDays: 30 },
    ]);
  });

  it("counts post days to the period's end, boundary inclusive", () => {
    expect(cohort(9, 10)).toEqual([1, 2]);
    expect(cohort(9, 11)).toEqual([1]);
    // Days after the index: 1 → 356, 3 → 365, 5 → 361.
    expect(cohort(0, 356)).toEqual([1, 3, 5]);
    expect(cohort(0, 357)).toEqual([3, 5]);
    expect(cohort(0, 366)).toEqual([]);
  });
});

describe("age and sex", () => {
  // Everyone indexed in 2020: age = 2020 − year of birth.
  const ages = [0, 9, 10, 89, 90, 95, 120];
  const data = omopData({
    person: ages.map((age, i) => person(i + 1, 2020 - age, i % 2 === 0 ? FEMALE : MALE)),
    observationPeriod: ages.map((_, i) => period(i + 1, "1900-01-01", "2030-12-31")),
    conditionOccurrence: ages.map((_, i) => record(i + 1, T2D, day("2020-12-31"))),
  });
  const ids = ages.map((_, i) => i + 1);
  const bands = (width: number) => {
    const spec = querySpec({ t2d: [T2D] }, { index: { domain: "condition", conceptSet: "t2d" } }, [
      { name: "age", type: "histogram", by: [{ dimension: "ageBand", width }] },
    ]);
    const m = only(evaluateReference(data, spec, ids).aggregates.measures);
    if (m.type !== "histogram") throw new Error("not a histogram");
    return { categories: m.dimensions[0]?.categories, counts: m.counts };
  };

  it("bands of 10: 0-9 … 80-89, then 90+ open", () => {
    expect(bands(10)).toEqual({
      categories: [
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
      ],
      counts: [2, 1, 0, 0, 0, 0, 0, 0, 1, 3],
    });
  });

  it("bands of 7: the open band starts at 91, 90 rounded up to a band edge", () => {
    const { categories, counts } = bands(7);
    expect(categories).toHaveLength(14);
    expect(categories?.[0]).toBe("0-6");
    expect(categories?.[1]).toBe("7-13");
    expect(categories?.[12]).toBe("84-90");
    expect(categories?.[13]).toBe("91+");
    // 0 → 0-6; 9, 10 → 7-13; 89, 90 → 84-90; 95, 120 → 91+.
    expect(counts).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2]);
  });

  it("bands of 30", () => {
    expect(bands(30)).toEqual({
      categories: ["0-29", "30-59", "60-89", "90+"],
      counts: [3, 0, 1, 3],
    });
  });

  it("a year of birth after the index year falls in the first band", () => {
    // docs/query.md lists no band below 0-9; like the SQL compiler, the reference clamps.
    const unborn = omopData({
      person: [person(1, 2021)],
      observationPeriod: [period(1, "2010-01-01", "2030-01-01")],
      conditionOccurrence: [record(1, T2D, day("2020-06-01"))],
    });
    const spec = querySpec({ t2d: [T2D] }, { index: { domain: "condition", conceptSet: "t2d" } }, [
      { name: "age", type: "histogram", by: [{ dimension: "ageBand", width: 30 }] },
    ]);
    const m = only(evaluateReference(unborn, spec, [1]).aggregates.measures);
    expect(m.type === "histogram" && m.counts).toEqual([1, 0, 0, 0]);
  });

  it("age at index is index year − year of birth, whatever the birthday", () => {
    // Born 1990, indexed 2020-01-01: 30 although the birthday may not have come yet.
    const one = omopData({
      person: [person(1, 1990)],
      observationPeriod: [period(1, "2010-01-01", "2030-01-01")],
      conditionOccurrence: [record(1, T2D, day("2020-01-01"))],
    });
    const rule = (min: number) =>
      querySpec(
        { t2d: [T2D] },
        {
          index: { domain: "condition", conceptSet: "t2d" },
          inclusion: [{ name: "age", ageAtIndex: { min } }],
        },
      );
    expect(evaluateReference(one, rule(30), [1]).cohortPersonIds).toEqual([1]);
    expect(evaluateReference(one, rule(31), [1]).cohortPersonIds).toEqual([]);
  });

  it("ageAtIndex bounds are inclusive", () => {
    const spec = querySpec(
      { t2d: [T2D] },
      {
        index: { domain: "condition", conceptSet: "t2d" },
        inclusion: [{ name: "10 to 89", ageAtIndex: { min: 10, max: 89 } }],
      },
    );
    const result = evaluateReference(data, spec, ids);
    expect(result.aggregates.attrition[2]).toEqual({ step: "10 to 89", persons: 2 });
    expect(result.cohortPersonIds).toEqual([3, 4]);
  });

  it("indexYear × sex, row-major, with under- and overflow years and other sex", () => {
    const people = omopData({
      person: [person(1, 1970, FEMALE), person(2, 1970, MALE), person(3, 1970, FEMALE)].concat([
        person(4, 1970, MALE),
        person(5, 1970, 0),
      ]),
      observationPeriod: [1, 2, 3, 4, 5].map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: [
        record(1, T2D, day("2017-05-01")),
        record(2, T2D, day("2018-01-01")),
        record(3, T2D, day("2020-12-31")),
        record(4, T2D, day("2021-01-01")),
        record(5, T2D, day("2019-07-01")),
      ],
    });
    const spec = querySpec({ t2d: [T2D] }, { index: { domain: "condition", conceptSet: "t2d" } }, [
      {
        name: "yearSex",
        type: "histogram",
        by: [{ dimension: "indexYear", from: 2018, to: 2020 }, { dimension: "sex" }],
      },
    ]);
    const m = only(evaluateReference(people, spec, [1, 2, 3, 4, 5]).aggregates.measures);
    expect(m).toEqual({
      name: "yearSex",
      type: "histogram",
      dimensions: [
        { name: "indexYear", categories: ["<2018", "2018", "2019", "2020", ">2020"] },
        { name: "sex", categories: ["female", "male", "other"] },
      ],
      // <2018 female, 2018 male, 2019 other, 2020 female, >2020 male.
      counts: [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0],
    });
    const sexRule = (sex: string[]) =>
      querySpec(
        { t2d: [T2D] },
        { index: { domain: "condition", conceptSet: "t2d" }, inclusion: [{ name: "s", sex }] },
      );
    const all = [1, 2, 3, 4, 5];
    expect(evaluateReference(people, sexRule(["female"]), all).cohortPersonIds).toEqual([1, 3]);
    expect(evaluateReference(people, sexRule(["male"]), all).cohortPersonIds).toEqual([2, 4]);
    expect(evaluateReference(people, sexRule(["female", "male"]), all).cohortPersonIds).toEqual([
      1, 2, 3, 4,
    ]);
  });
});

describe("incidenceRate", () => {
  // Everyone indexed on 2020-01-01 (I); observation from 2019. Time at risk I+1 … I+100.
  const OTHER = 0;
  const people: [number, number, string, number[]][] = [
    // id, gender, observation end, outcome days relative to I
    [1, FEMALE, "2020-12-31", [10]], // event on day 10: 10 days
    [2, MALE, "2020-02-20", []], // observation ends I+50: 50 days
    [3, FEMALE, "2020-12-31", [0]], // outcome on the index day, before the time at risk: out
    [4, MALE, "2020-12-31", [-3652, 5]], // outcome years before: out
    [5, FEMALE, "2020-01-01", []], // observation ends on the index day: no day at risk
    [6, MALE, "2020-12-31", [100, 150]], // event on the last day: 100 days
    [7, FEMALE, "2020-12-31", [101]], // outcome after the time at risk: 100 days, no event
    [8, MALE, "2020-12-31", [30, 20]], // first outcome on day 20: 20 days
    [9, FEMALE, "2020-01-02", [1]], // one day at risk, with the outcome: 1 day
    [10, OTHER, "2020-03-01", [61]], // observation ends I+60 before the outcome: 60 days
  ];
  const data = omopData({
    person: people.map(([id, gender]) => person(id, 1970, gender)),
    observationPeriod: people.map(([id, , end]) => period(id, "2019-01-01", end)),
    conditionOccurrence: people.flatMap(([id, , , outcomes]) => [
      record(id, T2D, I),
      ...outcomes.map((days) => record(id, CKD, I + days)),
    ]),
  });
  const ids = people.map(([id]) => id);
  const spec = (startDays: number, endDays: number, by: unknown[] = []) =>
    querySpec({ t2d: [T2D], ckd: [CKD] }, { index: { domain: "condition", conceptSet: "t2d" } }, [
      {
        name: "ckd",
        type: "incidenceRate",
        outcome: { domain: "condition", conceptSet: "ckd" },
        timeAtRisk: { startDays, endDays },
        by,
      },
    ]);

  it("persons at risk, events, and days to the first outcome inclusive or to the end", () => {
    const m = only(evaluateReference(data, spec(1, 100), ids).aggregates.measures);
    expect(m).toEqual({
      name: "ckd",
      type: "incidenceRate",
      dimension: { name: "all", categories: ["all"] },
      strata: [{ persons: 7, events: 4, personDays: 10 + 50 + 100 + 100 + 20 + 1 + 60 }],
    });
  });

  it("by sex", () => {
    const m = only(
      evaluateReference(data, spec(1, 100, [{ dimension: "sex" }]), ids).aggregates.measures,
    );
    expect(m).toEqual({
      name: "ckd",
      type: "incidenceRate",
      dimension: { name: "sex", categories: ["female", "male", "other"] },
      strata: [
        { persons: 3, events: 2, personDays: 10 + 100 + 1 }, // 1, 7, 9
        { persons: 3, events: 2, personDays: 50 + 100 + 20 }, // 2, 6, 8
        { persons: 1, events: 0, personDays: 60 }, // 10
      ],
    });
  });

  it("a time at risk of the index day only", () => {
    // Everyone has the index day at risk; only person 4 had the outcome before it; person 3
    // has it on the day.
    const m = only(evaluateReference(data, spec(0, 0), ids).aggregates.measures);
    expect(m.type === "incidenceRate" && m.strata).toEqual([
      { persons: 9, events: 1, personDays: 9 },
    ]);
  });
});

describe("summary and quantiles", () => {
  // Window: the year before the index date, both ends inclusive.
  const window = { startDays: -365, endDays: 0 };
  const data = omopData({
    person: [1, 2, 3, 4].map((id) => person(id, 1970)),
    observationPeriod: [1, 2, 3, 4].map((id) => period(id, "2000-01-01", "2030-12-31")),
    conditionOccurrence: [1, 2, 3, 4].map((id) => record(id, T2D, I)),
    measurement: [
      // Person 1: two on I−10 (ids 3 and 5); a kg value earlier; a null value earliest;
      // others outside the window.
      measurement(1, BMI, I - 10, "10.5", KG_M2, 5),
      measurement(1, BMI, I - 10, "20.25", KG_M2, 3),
      measurement(1, BMI, I - 20, "99", KG, 1),
      measurement(1, BMI, I - 30, null, KG_M2, 2),
      measurement(1, BMI, I - 366, "50", KG_M2, 4),
      measurement(1, BMI, I + 1, "60", KG_M2, 6),
      measurement(2, BMI, I - 1, "-3.1", KG_M2, 7),
      // Person 3: on both window edges.
      measurement(3, BMI, I, "7", KG_M2, 8),
      measurement(3, BMI, I - 365, "8", KG_M2, 9),
      // Person 4: only outside the window.
      measurement(4, BMI, I - 400, "30", KG_M2, 10),
    ],
  });
  const all = [1, 2, 3, 4];
  const summary = (value: "first" | "last", unit = KG_M2) => {
    const spec = querySpec(
      { t2d: [T2D], bmi: [BMI] },
      { index: { domain: "condition", conceptSet: "t2d" } },
      [
        {
          name: "bmi",
          type: "summary",
          measurement: { conceptSet: "bmi", unitConceptId: unit, window, value },
        },
      ],
    );
    const m = only(evaluateReference(data, spec, all).aggregates.measures);
    if (m.type !== "summary") throw new Error("not a summary");
    return m.sums;
  };

  it("first: earliest in the window, ties broken by the lower measurement_id", () => {
    // 20.25 (id 3), −3.1, 8 (on I−365).
    expect(summary("first")).toEqual({
      n: 3,
      total: "25.15000000",
      totalSquares: "483.67250000", // 410.0625 + 9.61 + 64
      totalAbs: "31.35000000",
      topTwoAbs: "28.25000000", // 20.25 + 8
    });
  });

  it("last: latest in the window, ties broken by the higher measurement_id", () => {
    // 10.5 (id 5), −3.1, 7 (on I).
    expect(summary("last")).toEqual({
      n: 3,
      total: "14.40000000",
      totalSquares: "168.86000000", // 110.25 + 9.61 + 49
      totalAbs: "20.60000000",
      topTwoAbs: "17.50000000",
    });
  });

  it("no value at all gives zero sums", () => {
    expect(summary("first", 12345)).toEqual({
      n: 0,
      total: "0.00000000",
      totalSquares: "0.00000000",
      totalAbs: "0.00000000",
      topTwoAbs: "0.00000000",
    });
  });

  const binned = (values: string[], bins: { lower: number; upper: number; width: number }) => {
    const ids = values.map((_, i) => i + 1);
    const points = omopData({
      person: ids.map((id) => person(id, 1970)),
      observationPeriod: ids.map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: ids.map((id) => record(id, T2D, I)),
      measurement: values.map((v, i) => measurement(i + 1, BMI, I, v, KG_M2)),
    });
    const spec = querySpec(
      { t2d: [T2D], bmi: [BMI] },
      { index: { domain: "condition", conceptSet: "t2d" } },
      [
        {
          name: "q",
          type: "quantiles",
          measurement: { conceptSet: "bmi", unitConceptId: KG_M2 },
          bins,
          probabilities: [0.75, 0.25, 0.5],
        },
      ],
    );
    const m = only(evaluateReference(points, spec, ids).aggregates.measures);
    if (m.type !== "quantiles") throw new Error("not quantiles");
    expect(m.probabilities).toEqual([0.25, 0.5, 0.75]);
    return m.bins;
  };

  it("quantile bins: an edge value goes to the upper bin, upper itself to overflow", () => {
    const values = ["9.9999", "-3", "10", "14.9999", "15", "19.9999", "20", "25"];
    expect(binned(values, { lower: 10, upper: 20, width: 5 })).toEqual([
      { lower: null, upper: 10, count: 2 },
      { lower: 10, upper: 15, count: 2 },
      { lower: 15, upper: 20, count: 2 },
      { lower: 20, upper: null, count: 2 },
    ]);
  });

  it("quantile bins with decimal edges", () => {
    expect(
      binned(["0.1", "0.2", "0.3", "0.0999", "0.2999"], { lower: 0.1, upper: 0.3, width: 0.1 }),
    ).toEqual([
      { lower: null, upper: 0.1, count: 1 },
      { lower: 0.1, upper: 0.2, count: 1 },
      { lower: 0.2, upper: 0.3, count: 2 },
      { lower: 0.3, upper: null, count: 1 },
    ]);
    expect(
      binned(["-0.5", "-0.5001", "0", "0.9999", "-1", "-1.0001"], {
        lower: -1,
        upper: 1,
        width: 0.5,
      }),
    ).toEqual([
      { lower: null, upper: -1, count: 1 },
      { lower: -1, upper: -0.5, count: 2 },
      { lower: -0.5, upper: 0, count: 1 },
      { lower: 0, upper: 0.5, count: 1 },
      { lower: 0.5, upper: 1, count: 1 },
      { lower: 1, upper: null, count: 0 },
    ]);
  });

  it("a measurement rule: the set, the unit, the window, min ≤ value ≤ max", () => {
    const values: [number, string | null, number, number][] = [
      // id, value, unit, days from index
      [1, "6.5", KG_M2, 0],
      [2, "7", KG_M2, -30],
      [3, "7.0001", KG_M2, 0],
      [4, "6.5", KG, 0],
      [5, "6.8", KG_M2, -31],
      [6, null, KG_M2, 0],
      [7, "6.4999", KG_M2, 0],
    ];
    const ids = values.map(([id]) => id);
    const rows = omopData({
      person: ids.map((id) => person(id, 1970)),
      observationPeriod: ids.map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: ids.map((id) => record(id, T2D, I)),
      measurement: values.map(([id, v, unit, days]) => measurement(id, BMI, I + days, v, unit)),
    });
    const rule = (bounds: { min?: number; max?: number }) =>
      querySpec(
        { t2d: [T2D], bmi: [BMI] },
        {
          index: { domain: "condition", conceptSet: "t2d" },
          inclusion: [
            {
              name: "bmi",
              measurement: {
                conceptSet: "bmi",
                unitConceptId: KG_M2,
                window: { startDays: -30, endDays: 0 },
                ...bounds,
              },
            },
          ],
        },
      );
    expect(evaluateReference(rows, rule({ min: 6.5, max: 7 }), ids).cohortPersonIds).toEqual([
      1, 2,
    ]);
    expect(evaluateReference(rows, rule({ min: 7 }), ids).cohortPersonIds).toEqual([2, 3]);
    expect(evaluateReference(rows, rule({ max: 6.5 }), ids).cohortPersonIds).toEqual([1, 7]);
  });
});

describe("the allow-list", () => {
  // Persons 1-3 all qualify; 99 has records but no PERSON row.
  const data = omopData({
    person: [person(1, 1970), person(2, 1980, MALE), person(3, 1990)],
    observationPeriod: [1, 2, 3, 99].map((id) => period(id, "2000-01-01", "2030-12-31")),
    conditionOccurrence: [1, 2, 3, 99].map((id) => record(id, T2D, I)),
    measurement: [
      measurement(1, BMI, I, "20", KG_M2),
      measurement(2, BMI, I, "1000", KG_M2),
      measurement(3, BMI, I, "30", KG_M2),
      measurement(99, BMI, I, "1000", KG_M2),
    ],
  });
  const spec = querySpec(
    { t2d: [T2D], bmi: [BMI] },
    { index: { domain: "condition", conceptSet: "t2d" } },
    [
      { name: "n", type: "count" },
      { name: "sex", type: "histogram", by: [{ dimension: "sex" }] },
      { name: "bmi", type: "summary", measurement: { conceptSet: "bmi", unitConceptId: KG_M2 } },
    ],
  );

  it("counts only allowed persons (in PERSON), in every step and measure", () => {
    const result = evaluateReference(data, spec, [3, 1, 1, 99, 12345]);
    expect(steps(result)).toEqual([2, 2]);
    expect(result.cohortPersonIds).toEqual([1, 3]);
    expect(result.aggregates.measures).toEqual([
      { name: "n", type: "count", n: 2 },
      {
        name: "sex",
        type: "histogram",
        dimensions: [{ name: "sex", categories: ["female", "male", "other"] }],
        counts: [2, 0, 0],
      },
      {
        name: "bmi",
        type: "summary",
        sums: {
          n: 2,
          total: "50.00000000",
          totalSquares: "1300.00000000",
          totalAbs: "50.00000000",
          topTwoAbs: "50.00000000",
        },
      },
    ]);
  });

  it("an empty allow-list gives an empty cohort", () => {
    const result = evaluateReference(data, spec, []);
    expect(steps(result)).toEqual([0, 0]);
    expect(result.aggregates.cohortSize).toBe(0);
    expect(result.cohortPersonIds).toEqual([]);
  });
});

describe("concept sets", () => {
  // 100 → 101, 102, 104 (through 101); 200 → 201 without a self row.
  const ancestors = [
    [100, 100],
    [100, 101],
    [100, 102],
    [100, 104],
    [101, 101],
    [101, 104],
    [200, 201],
  ].map(([a, d]) => ({ ancestorConceptId: a as number, descendantConceptId: d as number }));
  const spec = (concept: Record<string, unknown>) =>
    parseQuerySpec({
      version: 1,
      conceptSets: {
        a: { include: [{ conceptId: 100, descendants: true }], exclude: [{ conceptId: 102 }] },
        b: {
          include: [{ conceptId: 100, descendants: true }],
          exclude: [{ conceptId: 101, descendants: true }],
        },
        c: { include: [{ conceptId: 100 }, { conceptId: 201 }] },
        d: { include: [{ conceptId: 200, descendants: true }] },
        ...concept,
      },
      cohort: { index: { domain: "condition", conceptSet: "a" }, inclusion: [] },
      measures: [{ name: "n", type: "count" }],
    });
  const people = [1, 2, 3, 4];
  const rows = {
    person: people.map((id) => person(id, 1970)),
    observationPeriod: people.map((id) => period(id, "2000-01-01", "2030-12-31")),
    conditionOccurrence: [
      record(1, 102, I), // excluded from a
      record(2, 104, I), // a descendant of 100 (through 101)
      record(3, 100, I),
      record(4, 999, I),
    ],
  };

  it("include with descendants, minus exclusions resolved the same way", () => {
    const result = evaluateReference(
      omopData({ ...rows, conceptAncestor: ancestors }),
      spec({}),
      people,
    );
    expect(result.conceptSets).toEqual({
      a: [100, 101, 104],
      b: [100, 102],
      c: [100, 201],
      d: [200, 201],
    });
    expect(result.cohortPersonIds).toEqual([2, 3]);
  });

  it("without CONCEPT_ANCESTOR a concept stands for itself", () => {
    const result = evaluateReference(omopData(rows), spec({}), people);
    expect(result.conceptSets).toEqual({ a: [100], b: [100], c: [100, 201], d: [200] });
    expect(result.cohortPersonIds).toEqual([3]);
  });

  it("a concept id missing from CONCEPT is refused, naming the field", () => {
    const data = omopData({ ...rows, concept: [100, 101, 102, 104, 200, 201] });
    expect(evaluateReference(data, spec({}), people).cohortPersonIds).toEqual([3]);
    const unknown = spec({ e: { include: [{ conceptId: 100 }], exclude: [{ conceptId: 7 }] } });
    expect(() => evaluateReference(data, unknown, people)).toThrow(ReferenceUnknownConceptError);
    try {
      evaluateReference(data, unknown, people);
    } catch (error) {
      expect(error).toMatchObject({
        code: "QUERY_UNKNOWN_CONCEPT",
        field: "/conceptSets/e/exclude/0/conceptId",
        conceptId: 7,
      });
    }
  });
});

describe("attrition", () => {
  it("counts persons left after each rule in order, cumulatively", () => {
    // 1: adult female with the drug; 2: adult male with the drug; 3: child female with the
    // drug; 4: adult female without; 5: child male with.
    const data = omopData({
      person: [
        person(1, 1970, FEMALE),
        person(2, 1970, MALE),
        person(3, 2010, FEMALE),
        person(4, 1970, FEMALE),
        person(5, 2010, MALE),
      ],
      observationPeriod: [1, 2, 3, 4, 5].map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: [1, 2, 3, 4, 5].map((id) => record(id, T2D, I)),
      drugExposure: [1, 2, 3, 5].map((id) => record(id, DRUG, I + 7)),
    });
    const spec = querySpec(
      { t2d: [T2D], drug: [DRUG] },
      {
        index: { domain: "condition", conceptSet: "t2d" },
        inclusion: [
          { name: "adults", ageAtIndex: { min: 18 } },
          { name: "women", sex: ["female"] },
          { name: "drug", has: { domain: "drug", conceptSet: "drug" } },
        ],
      },
    );
    const result = evaluateReference(data, spec, [1, 2, 3, 4, 5]);
    expect(result.aggregates.attrition).toEqual([
      { step: "index event", persons: 5 },
      { step: "observation", persons: 5 },
      { step: "adults", persons: 3 },
      { step: "women", persons: 2 },
      { step: "drug", persons: 1 },
    ]);
    expect(result.aggregates.cohortSize).toBe(1);
    expect(result.cohortPersonIds).toEqual([1]);
  });
});

describe("twoByTwo", () => {
  it("counts [exposed & outcome, exposed & none, unexposed & outcome, unexposed & none]", () => {
    // Exposure: the drug in the 30 days before index. Outcome: CKD after it.
    const cells: [boolean, boolean][] = [
      [true, true],
      [true, true],
      [true, false],
      [false, true],
      [false, true],
      [false, true],
      [false, false],
    ];
    const ids = cells.map((_, i) => i + 1);
    const data = omopData({
      person: ids.map((id) => person(id, 1970)),
      observationPeriod: ids.map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: [
        ...ids.map((id) => record(id, T2D, I)),
        ...cells.flatMap(([, outcome], i) => (outcome ? [record(i + 1, CKD, I + 1)] : [])),
        record(7, CKD, I), // on the index day: not in the outcome window
      ],
      drugExposure: [
        ...cells.flatMap(([exposed], i) => (exposed ? [record(i + 1, DRUG, I - 30)] : [])),
        record(7, DRUG, I - 31), // outside the exposure window
      ],
    });
    const spec = querySpec(
      { t2d: [T2D], drug: [DRUG], ckd: [CKD] },
      { index: { domain: "condition", conceptSet: "t2d" } },
      [
        {
          name: "t",
          type: "twoByTwo",
          exposure: { domain: "drug", conceptSet: "drug", window: { startDays: -30, endDays: -1 } },
          outcome: { domain: "condition", conceptSet: "ckd", window: { startDays: 1 } },
        },
      ],
    );
    expect(only(evaluateReference(data, spec, ids).aggregates.measures)).toEqual({
      name: "t",
      type: "twoByTwo",
      counts: [2, 1, 3, 1],
    });
  });
});

describe("domains", () => {
  it("reads each domain's table", () => {
    const data = omopData({
      person: [1, 2, 3, 4, 5, 6].map((id) => person(id, 1970)),
      observationPeriod: [1, 2, 3, 4, 5, 6].map((id) => period(id, "2000-01-01", "2030-12-31")),
      conditionOccurrence: [record(1, 7, I)],
      drugExposure: [record(2, 7, I)],
      measurement: [measurement(3, 7, I, null, null)],
      procedureOccurrence: [record(4, 7, I)],
      observation: [record(5, 7, I)],
      visitOccurrence: [record(6, 7, I)],
    });
    const domains = ["condition", "drug", "measurement", "procedure", "observation", "visit"];
    domains.forEach((domain, i) => {
      const spec = querySpec({ x: [7] }, { index: { domain, conceptSet: "x" } });
      expect(evaluateReference(data, spec, [1, 2, 3, 4, 5, 6]).cohortPersonIds).toEqual([i + 1]);
    });
  });
});
