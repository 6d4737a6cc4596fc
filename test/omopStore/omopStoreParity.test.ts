/**
 * The two adapters answer alike: the same statements on the same OMOP data in embedded DuckDB
 * and in PostgreSQL give deep-equal rows, for the shapes compiled queries use.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlValue } from "../../src/omopStore/index.ts";
import { collectOmopHospital } from "../omop/collectOmopHospital.ts";
import { openTestOmopStores, type TestOmopStores } from "./openTestOmopStores.ts";

/** Statements (name, SQL, parameters, allow-list) whose answers must not depend on the engine. */
const statements: readonly [string, string, ReadonlyArray<SqlValue>?, ReadonlyArray<number>?][] = [
  [
    "counts by gender",
    "SELECT gender_concept_id, count(*) AS n FROM person GROUP BY gender_concept_id ORDER BY gender_concept_id",
  ],
  [
    "a join with the allow-list",
    "SELECT count(*) AS n, count(DISTINCT p.person_id) AS persons FROM person p JOIN custos_allowed a ON a.person_id = p.person_id JOIN condition_occurrence c ON c.person_id = p.person_id",
    [],
    [1, 2, 3, 5, 8, 13, 21],
  ],
  [
    "date - date, date + integer, extract(year)",
    "SELECT visit_occurrence_id, visit_end_date - visit_start_date AS days, visit_start_date + 30 AS later, extract(year FROM visit_start_date) AS year FROM visit_occurrence ORDER BY visit_occurrence_id LIMIT 200",
  ],
  [
    "date + an integer parameter",
    "SELECT min(observation_period_start_date + CAST($1 AS integer)) AS first FROM observation_period",
    [7],
  ],
  [
    "grouping by year",
    "SELECT extract(year FROM condition_start_date) AS year, count(*) AS n FROM condition_occurrence GROUP BY extract(year FROM condition_start_date) ORDER BY year",
  ],
  [
    "decimal sums cast to text",
    "SELECT measurement_concept_id, count(value_as_number) AS n, CAST(CAST(sum(value_as_number) AS decimal(20,4)) AS varchar) AS total, sum(value_as_number) AS total_number FROM measurement GROUP BY measurement_concept_id ORDER BY measurement_concept_id",
  ],
  [
    "mean and variance of value_as_number, rounded",
    "SELECT measurement_concept_id, round(avg(value_as_number), 6) AS mean, round(var_samp(value_as_number), 6) AS variance, round(stddev_samp(value_as_number), 6) AS sd FROM measurement WHERE value_as_number IS NOT NULL GROUP BY measurement_concept_id HAVING count(*) > 1 ORDER BY measurement_concept_id",
  ],
  [
    "the mean of an integer column",
    "SELECT round(avg(year_of_birth), 4) AS mean_year, sum(year_of_birth) AS total FROM person",
  ],
  [
    "NULLs: counts, empty quoted values, sorting",
    "SELECT count(*) AS all_rows, count(condition_end_date) AS ended, sum(CASE WHEN condition_end_date IS NULL THEN 1 ELSE 0 END) AS open, min(stop_reason) AS stop FROM condition_occurrence",
  ],
  [
    "a NULL group",
    "SELECT standard_concept, count(*) AS n FROM concept GROUP BY standard_concept ORDER BY standard_concept NULLS FIRST",
  ],
  [
    "timestamps and text",
    "SELECT person_id, birth_datetime, person_source_value, gender_source_value FROM person ORDER BY person_id",
  ],
  [
    "integer, text and date parameters",
    "SELECT count(*) AS n FROM visit_occurrence v JOIN person p ON p.person_id = v.person_id WHERE p.year_of_birth >= $1 AND p.gender_source_value = $2 AND v.visit_start_date >= CAST($3 AS date)",
    [1950, "F", "2015-01-01"],
  ],
  [
    "left joins and distinct persons per concept",
    "SELECT c.condition_concept_id, count(DISTINCT c.person_id) AS persons, count(d.person_id) AS deaths FROM condition_occurrence c JOIN custos_allowed a ON a.person_id = c.person_id LEFT JOIN death d ON d.person_id = c.person_id GROUP BY c.condition_concept_id ORDER BY persons DESC, c.condition_concept_id LIMIT 20",
    [],
    Array.from({ length: 20 }, (_, i) => i + 1),
  ],
  [
    "bigint ids beyond 32 bits",
    "SELECT person_id, person_id * 2 AS twice FROM custos_allowed ORDER BY person_id",
    [],
    [2 ** 40, 7, 2 ** 33 + 1],
  ],
  ["a sum of bigints", "SELECT sum(person_id) AS total, count(*) AS n FROM person"],
];

describe("DuckDB and PostgreSQL on the Synthea27Nj sample", () => {
  let stores: TestOmopStores;
  beforeAll(async () => {
    stores = await openTestOmopStores();
  });
  afterAll(() => stores?.close());

  it("have the same facts about the data", async () => {
    const [duckdb, postgres] = await Promise.all([stores.duckdb.info(), stores.postgres.info()]);
    expect(duckdb.engine).toMatch(/^DuckDB v1\./);
    expect(postgres.engine).toMatch(/^PostgreSQL 17\./);
    const facts = {
      cdmVersion: "5.4",
      vocabularyVersion: "v5.0 09-APR-22*",
      sourceReleaseDate: "2022-10-10",
      personCount: 28,
      tables: [
        "cdm_source",
        "concept",
        "condition_occurrence",
        "death",
        "drug_exposure",
        "location",
        "measurement",
        "observation",
        "observation_period",
        "person",
        "procedure_occurrence",
        "visit_occurrence",
      ],
    };
    expect(duckdb).toEqual({ ...facts, engine: duckdb.engine });
    expect(postgres).toEqual({ ...facts, engine: postgres.engine });
  });

  it.each(statements)("answer alike: %s", async (_, sql, params, allowed) => {
    const { duckdb, postgres } = await stores.run(sql, params, allowed);
    expect(duckdb.length).toBeGreaterThan(0);
    expect(duckdb).toEqual(postgres);
  });

  it("give values of the normalised kinds", async () => {
    const { duckdb, postgres } = await stores.run(
      "SELECT count(*) AS n, min(visit_start_date) AS first, min(visit_start_datetime) AS first_at, CAST(sum(visit_occurrence_id) AS bigint) AS ids FROM visit_occurrence",
    );
    // Checked against VISIT_OCCURRENCE.csv with Python's csv module.
    expect(duckdb).toEqual([
      { n: 1791, first: "1955-03-07", first_at: "1955-03-07 00:00:00", ids: 1613889 },
    ]);
    expect(postgres).toEqual(duckdb);
  });

  it("replace the allow-list on each call", async () => {
    const { duckdb, postgres } = await stores.both(async (session) => {
      const counts: unknown[] = [];
      const count =
        "SELECT count(*) AS n, min(person_id) AS low, max(person_id) AS high FROM custos_allowed";
      await session.setAllowedPersons([1, 2, 3]);
      counts.push(await session.run(count));
      await session.setAllowedPersons(new Float64Array([4, 5]));
      counts.push(await session.run(count));
      await session.setAllowedPersons([]);
      counts.push(await session.run(count));
      return counts;
    });
    expect(duckdb).toEqual([
      [{ n: 3, low: 1, high: 3 }],
      [{ n: 2, low: 4, high: 5 }],
      [{ n: 0, low: null, high: null }],
    ]);
    expect(postgres).toEqual(duckdb);
  });

  it("keep the allow-list to its session", async () => {
    for (const store of [stores.duckdb, stores.postgres]) {
      const [inside, other] = await Promise.all([
        store.withSession(async (session) => {
          await session.setAllowedPersons([1, 2]);
          return session.run("SELECT count(*) AS n FROM custos_allowed");
        }),
        store.withSession((session) =>
          session.run(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'custos_allowed'",
          ),
        ),
      ]);
      expect(inside).toEqual([{ n: 2 }]);
      expect(other).toEqual([{ n: 0 }]);
    }
  });
});

describe("DuckDB and PostgreSQL on a generated hospital", () => {
  let stores: TestOmopStores;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "custos-omop-"));
    const { files } = collectOmopHospital({ persons: 600, hospitals: 1, seed: 7 }, 0);
    for (const [file, text] of files) await writeFile(join(dir, file), text);
    stores = await openTestOmopStores(dir);
  });
  afterAll(async () => {
    await stores?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("loads as generated, with its facts", async () => {
    const info = await stores.duckdb.info();
    expect(info).toMatchObject({ cdmVersion: "v5.4", sourceReleaseDate: "2024-12-31" });
    expect(info.personCount).toBe(600);
    expect(await stores.postgres.info()).toEqual({
      ...info,
      engine: expect.stringMatching(/^PostgreSQL/),
    });
  });

  it.each([
    [
      "measurements by concept and unit",
      "SELECT measurement_concept_id, unit_concept_id, count(*) AS n, CAST(CAST(sum(value_as_number) AS decimal(20,4)) AS varchar) AS total, round(avg(value_as_number), 6) AS mean FROM measurement GROUP BY measurement_concept_id, unit_concept_id ORDER BY measurement_concept_id, unit_concept_id",
    ],
    [
      "ages at the first visit of allowed persons",
      "SELECT extract(year FROM v.first_visit) - p.year_of_birth AS age, count(*) AS n FROM person p JOIN custos_allowed a ON a.person_id = p.person_id JOIN (SELECT person_id, min(visit_start_date) AS first_visit FROM visit_occurrence GROUP BY person_id) v ON v.person_id = p.person_id GROUP BY extract(year FROM v.first_visit) - p.year_of_birth ORDER BY age",
    ],
    [
      "drug exposure days",
      "SELECT drug_concept_id, sum(drug_exposure_end_date - drug_exposure_start_date + 1) AS days, count(*) AS n FROM drug_exposure GROUP BY drug_concept_id ORDER BY drug_concept_id",
    ],
  ])("answer alike: %s", async (_, sql) => {
    const allowed = Array.from({ length: 300 }, (_, i) => 2 * i + 1);
    const { duckdb, postgres } = await stores.run(sql, [], allowed);
    expect(duckdb.length).toBeGreaterThan(0);
    expect(duckdb).toEqual(postgres);
  });
});
