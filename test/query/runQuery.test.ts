import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOmopData } from "../../nodes/bin/commands/data/writeOmopData.ts";
import { parseQuerySpec, type QuerySpec, runQuery } from "../../src/query/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import {
  OMOP_SAMPLE_DIR,
  openTestOmopStores,
  type TestOmopStores,
} from "../omopStore/openTestOmopStores.ts";
import { evaluateReference, readOmopCsvDirectory } from "./reference/index.ts";

const diabetes = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);

/** Every other criterion and option: last occurrence, sex, measurement ranges, open windows. */
const hypertension = parseQuerySpec({
  version: 1,
  conceptSets: {
    htn: { include: [{ conceptId: 320128 }] },
    sbp: { include: [{ conceptId: 3004249 }] },
    bmi: { include: [{ conceptId: 3038553 }] },
    ckd: { include: [{ conceptId: 46271022 }] },
    statin: { include: [{ conceptId: 1545958 }] },
    lipids: { include: [{ conceptId: 432867 }], exclude: [{ conceptId: 201826 }] },
  },
  cohort: {
    index: { domain: "condition", conceptSet: "htn", occurrence: "last" },
    observation: { priorDays: 0, postDays: 30 },
    inclusion: [
      { name: "women", sex: ["female"] },
      { name: "under 80", ageAtIndex: { max: 79 } },
      {
        name: "raised blood pressure before",
        measurement: {
          conceptSet: "sbp",
          unitConceptId: 8876,
          min: 130.5,
          window: { startDays: -730, endDays: 0 },
        },
      },
    ],
  },
  measures: [
    { name: "n", type: "count" },
    { name: "bySex", type: "histogram", by: [{ dimension: "sex" }] },
    {
      name: "ageYear",
      type: "histogram",
      by: [
        { dimension: "ageBand", width: 20 },
        { dimension: "indexYear", from: 2018, to: 2022 },
      ],
    },
    {
      name: "ckd",
      type: "incidenceRate",
      outcome: { domain: "condition", conceptSet: "ckd" },
      timeAtRisk: { startDays: 0, endDays: 365 },
    },
    {
      name: "lastBmi",
      type: "summary",
      measurement: { conceptSet: "bmi", unitConceptId: 9531, value: "last" },
    },
    {
      name: "sbpBins",
      type: "quantiles",
      measurement: { conceptSet: "sbp", unitConceptId: 8876, window: { endDays: 0 } },
      bins: { lower: 90.5, upper: 200.5, width: 2.5 },
      probabilities: [0.1, 0.5, 0.9],
    },
    {
      name: "statinLipids",
      type: "twoByTwo",
      exposure: { domain: "drug", conceptSet: "statin", window: { endDays: 0 } },
      outcome: { domain: "condition", conceptSet: "lipids" },
    },
  ],
});

/** On the OHDSI sample: procedure, observation and visit domains, and its own concepts. */
const sampleSpec = parseQuerySpec({
  version: 1,
  conceptSets: {
    outpatient: { include: [{ conceptId: 9202, descendants: true }] },
    procedure: { include: [{ conceptId: 46272459 }, { conceptId: 762506 }] },
    observed: { include: [{ conceptId: 43054909 }] },
    condition: {
      include: [{ conceptId: 4251306 }, { conceptId: 40481087 }],
      exclude: [{ conceptId: 40481087 }],
    },
    weight: { include: [{ conceptId: 3025315 }] },
  },
  cohort: {
    index: { domain: "visit", conceptSet: "outpatient" },
    inclusion: [
      {
        name: "a procedure",
        has: { domain: "procedure", conceptSet: "procedure", window: { startDays: 0 } },
      },
      {
        name: "no observation in the first week",
        hasNot: {
          domain: "observation",
          conceptSet: "observed",
          window: { startDays: 0, endDays: 7 },
        },
      },
    ],
  },
  measures: [
    { name: "n", type: "count" },
    { name: "byAge", type: "histogram", by: [{ dimension: "ageBand", width: 10 }] },
    {
      name: "condition",
      type: "incidenceRate",
      outcome: { domain: "condition", conceptSet: "condition" },
      timeAtRisk: { startDays: 1, endDays: 3650 },
      by: [{ dimension: "sex" }],
    },
    { name: "weight", type: "summary", measurement: { conceptSet: "weight", unitConceptId: 9529 } },
    {
      name: "weightBins",
      type: "quantiles",
      measurement: { conceptSet: "weight", unitConceptId: 9529 },
      bins: { lower: 0, upper: 150, width: 10 },
      probabilities: [0.5],
    },
    {
      name: "procedureCondition",
      type: "twoByTwo",
      exposure: { domain: "procedure", conceptSet: "procedure" },
      outcome: { domain: "condition", conceptSet: "condition" },
    },
  ],
});

/** Two persons in three, by id: a consent allow-list that leaves persons out. */
const allowedOf = (ids: readonly number[]) => ids.filter((id) => id % 3 !== 0);

async function personIds(stores: TestOmopStores): Promise<number[]> {
  const rows = await stores.duckdb.withSession((s) =>
    s.run("select person_id from person order by person_id"),
  );
  return rows.map((row) => Number(row.person_id));
}

async function expectEnginesAndReferenceAgree(
  stores: TestOmopStores,
  dir: string,
  spec: QuerySpec,
) {
  const allowed = allowedOf(await personIds(stores));
  const [duckdb, postgres] = await Promise.all([
    runQuery(stores.duckdb, spec, allowed),
    runQuery(stores.postgres, spec, allowed),
  ]);
  expect(duckdb.aggregates).toEqual(postgres.aggregates);
  expect([...duckdb.cohortPersonIds]).toEqual([...postgres.cohortPersonIds]);
  expect(duckdb.concepts).toEqual(postgres.concepts);
  const reference = evaluateReference(await readOmopCsvDirectory(dir), spec, allowed);
  expect(duckdb.aggregates).toEqual(reference.aggregates);
  expect([...duckdb.cohortPersonIds]).toEqual(reference.cohortPersonIds);
  expect(duckdb.cohortPersonIds.every((id) => id % 3 !== 0)).toBe(true);
  return duckdb;
}

describe("runQuery on synthetic data", () => {
  let dir: string;
  let stores: TestOmopStores;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "custos-run-query-"));
    const data = await writeOmopData({
      out: dir,
      persons: 4000,
      hospitals: 1,
      seed: 5,
      consentRate: 0.8,
      revocationRate: 0.05,
    });
    stores = await openTestOmopStores(data.hospitals[0]?.dir);
  }, 120_000);
  afterAll(async () => {
    await stores?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives DuckDB, PostgreSQL and the reference evaluator the same answers (every measure type)", async () => {
    const run = await expectEnginesAndReferenceAgree(stores, join(dir, "hospital-0"), diabetes);
    expect(run.aggregates.cohortSize).toBeGreaterThan(50);
    expect(run.aggregates.measures.map((m) => m.type)).toEqual([
      "count",
      "histogram",
      "histogram",
      "incidenceRate",
      "summary",
      "quantiles",
      "twoByTwo",
    ]);
  });

  it("agrees on last occurrences, sex, measurement ranges and open windows", async () => {
    const run = await expectEnginesAndReferenceAgree(stores, join(dir, "hospital-0"), hypertension);
    expect(run.aggregates.attrition.map((s) => s.step)).toEqual([
      "index event",
      "observation",
      "women",
      "under 80",
      "raised blood pressure before",
    ]);
    expect(run.aggregates.cohortSize).toBeGreaterThan(10);
    expect(run.aggregates.attrition[4]?.persons).toBeLessThan(
      run.aggregates.attrition[3]?.persons ?? 0,
    );
  });

  it("refuses a concept the hospital's vocabulary lacks, naming the field", async () => {
    const spec = parseQuerySpec({
      ...diabetes,
      conceptSets: { ...diabetes.conceptSets, bmi: { include: [{ conceptId: 999_999_999 }] } },
    });
    for (const store of [stores.duckdb, stores.postgres]) {
      const error = await expectCustosError(runQuery(store, spec, [1, 2]), "QUERY_UNKNOWN_CONCEPT");
      expect(error.details.field).toBe("/conceptSets/bmi/include/0/conceptId");
    }
  });

  it("counts nobody when nobody consents", async () => {
    const run = await runQuery(stores.postgres, diabetes, []);
    expect(run.aggregates.cohortSize).toBe(0);
    expect(run.cohortPersonIds.length).toBe(0);
  });
});

describe("runQuery on the OHDSI sample", () => {
  let stores: TestOmopStores;
  beforeAll(async () => {
    stores = await openTestOmopStores();
  }, 60_000);
  afterAll(() => stores?.close());

  it("agrees across engines and with the reference on procedure, observation and visit domains", async () => {
    const run = await expectEnginesAndReferenceAgree(stores, OMOP_SAMPLE_DIR, sampleSpec);
    expect(run.aggregates.attrition[0]?.persons).toBeGreaterThan(0);
  });
});
