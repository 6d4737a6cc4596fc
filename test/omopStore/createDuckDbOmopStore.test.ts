import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDuckDbOmopStore, type OmopStore } from "../../src/omopStore/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { OMOP_SAMPLE_DIR } from "./openTestOmopStores.ts";

const GENDER_COUNTS =
  "SELECT gender_concept_id, count(*) AS n FROM person GROUP BY gender_concept_id ORDER BY gender_concept_id";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "custos-duckdb-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A copy of the sample in a fresh directory, with `change` applied to the file list. */
async function sampleCopy(
  name: string,
  change: (file: string) => string | undefined = (file) => file,
): Promise<string> {
  const dir = join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  for (const file of await readdir(OMOP_SAMPLE_DIR)) {
    const target = change(file);
    if (target !== undefined) await copyFile(join(OMOP_SAMPLE_DIR, file), join(dir, target));
  }
  return dir;
}

describe("createDuckDbOmopStore on the sample", () => {
  let store: OmopStore;
  beforeAll(async () => {
    store = await createDuckDbOmopStore({ directory: OMOP_SAMPLE_DIR });
  });
  afterAll(() => store?.close());

  it("speaks DuckDB and tells the data's facts", async () => {
    expect(store.dialect).toBe("duckdb");
    expect(await store.info()).toMatchObject({
      engine: expect.stringMatching(/^DuckDB v1\.5/),
      cdmVersion: "5.4",
      personCount: 28,
    });
  });

  it("types the columns as the OMOP DDL says, not by sniffing", async () => {
    const rows = await store.withSession((session) =>
      session.run(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'measurement' AND column_name IN ('person_id', 'value_as_number', 'measurement_date', 'measurement_time', 'range_low') ORDER BY column_name",
      ),
    );
    expect(rows).toEqual([
      { column_name: "measurement_date", data_type: "DATE" },
      { column_name: "measurement_time", data_type: "VARCHAR" },
      { column_name: "person_id", data_type: "BIGINT" },
      { column_name: "range_low", data_type: "DECIMAL(18,6)" },
      { column_name: "value_as_number", data_type: "DECIMAL(18,6)" },
    ]);
  });

  // How fast is bench:omopStore's to say (a timed unit test fails on a busy machine).
  it("takes a million allowed persons", async () => {
    const ids = Float64Array.from({ length: 1_000_000 }, (_, i) => 3 * i + 1);
    const rows = await store.withSession(async (session) => {
      await session.setAllowedPersons(ids);
      return session.run("SELECT count(*) AS n, max(person_id) AS high FROM custos_allowed");
    });
    expect(rows).toEqual([{ n: 1_000_000, high: 2_999_998 }]);
  });

  it("refuses ids that are not integers, naming the position only", async () => {
    const error = await expectCustosError(
      store.withSession((session) => session.setAllowedPersons([1, 2.5])),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toEqual({ index: 1 });
    await expectCustosError(
      store.withSession((session) => session.setAllowedPersons([1, 1])),
      "OMOP_STORE_QUERY_FAILED",
    );
  });

  it("fails a bad statement with OMOP_STORE_QUERY_FAILED, quoting no parameter", async () => {
    const error = await expectCustosError(
      store.withSession((session) => session.run("SELEC 1")),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(error.details).toMatchObject({ engine: "duckdb", kind: "Parser Error" });
    const secret = "person-4711";
    const conversion = await expectCustosError(
      store.withSession((session) => session.run("SELECT CAST($1 AS bigint) AS n", [secret])),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(JSON.stringify(conversion)).not.toContain(secret);
    expect(conversion.message).not.toContain(secret);
  });

  it("refuses results the port does not carry", async () => {
    for (const sql of [
      "SELECT true AS flag",
      "SELECT INTERVAL 3 DAY AS span",
      "SELECT CAST(9007199254740993 AS bigint) AS big",
      "SELECT 1 AS a, 2 AS A",
    ]) {
      await expectCustosError(
        store.withSession((session) => session.run(sql)),
        "OMOP_STORE_QUERY_FAILED",
      );
    }
  });

  it("lets no statement reach files once loaded", async () => {
    const error = await expectCustosError(
      store.withSession((session) =>
        session.run(`SELECT count(*) AS n FROM read_csv('${join(OMOP_SAMPLE_DIR, "PERSON.csv")}')`),
      ),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(error.details).toMatchObject({ kind: "Permission Error" });
  });

  it("interrupts a running statement when the signal aborts", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    let second: unknown;
    const error = await expectCustosError(
      store.withSession(
        async (session) => {
          try {
            await session.run("SELECT count(*) AS n FROM range(100000000000) a, range(1000) b");
          } finally {
            second = await session.run("SELECT 1 AS n").catch((e: unknown) => e);
          }
        },
        { signal: controller.signal },
      ),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(error.details).toMatchObject({ cancelled: true });
    expect(performance.now() - started).toBeLessThan(2000);
    await expectCustosError(Promise.reject(second), "OMOP_STORE_QUERY_FAILED");
    await expectCustosError(
      store.withSession((session) => session.run("SELECT 1 AS n"), {
        signal: AbortSignal.abort(),
      }),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(await store.withSession((session) => session.run("SELECT 1 AS n"))).toEqual([{ n: 1 }]);
  });
});

describe("createDuckDbOmopStore loading", () => {
  it("reads file names in any case, and Parquet", async () => {
    const csv = await createDuckDbOmopStore({ directory: OMOP_SAMPLE_DIR });
    const expected = await csv.withSession((session) => session.run(GENDER_COUNTS));
    const parquetFile = join(scratch, "person.parquet");
    await csv.close();

    // A Parquet PERSON written by DuckDB itself from the CSV, beside lower-case CSV names.
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM read_csv('${join(OMOP_SAMPLE_DIR, "PERSON.csv")}')) TO '${parquetFile}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const dir = await sampleCopy("mixed", (file) =>
      file === "PERSON.csv" ? undefined : file.endsWith(".csv") ? file.toLowerCase() : undefined,
    );
    await copyFile(parquetFile, join(dir, "Person.parquet"));

    const store = await createDuckDbOmopStore({ directory: dir });
    try {
      expect(await store.withSession((session) => session.run(GENDER_COUNTS))).toEqual(expected);
      expect((await store.info()).personCount).toBe(28);
    } finally {
      await store.close();
    }
  });

  it("keeps loaded tables in a database file that opens read-only", async () => {
    const databaseFile = join(scratch, "omop.duckdb");
    const loaded = await createDuckDbOmopStore({ directory: OMOP_SAMPLE_DIR, databaseFile });
    const info = await loaded.info();
    await loaded.close();
    const [first, second] = await Promise.all([
      createDuckDbOmopStore({ databaseFile }),
      createDuckDbOmopStore({ databaseFile }),
    ]);
    try {
      expect(await first.info()).toEqual(info);
      const rows = await second.withSession(async (session) => {
        await session.setAllowedPersons([1, 2, 3]);
        return session.run(
          "SELECT count(*) AS n FROM person JOIN custos_allowed USING (person_id)",
        );
      });
      expect(rows).toEqual([{ n: 3 }]);
      await expectCustosError(
        first.withSession((session) => session.run("DELETE FROM person")),
        "OMOP_STORE_QUERY_FAILED",
      );
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    await expectCustosError(
      createDuckDbOmopStore({ databaseFile: join(scratch, "absent.duckdb") }),
      "OMOP_STORE_UNAVAILABLE",
    );
  });

  it("refuses a directory that is missing or lacks PERSON", async () => {
    const missing = await expectCustosError(
      createDuckDbOmopStore({ directory: join(scratch, "nowhere") }),
      "OMOP_STORE_INVALID_DATA",
    );
    expect(missing.details).toMatchObject({ directory: join(scratch, "nowhere") });
    const dir = await sampleCopy("no-person", (file) => (file === "PERSON.csv" ? undefined : file));
    const error = await expectCustosError(
      createDuckDbOmopStore({ directory: dir }),
      "OMOP_STORE_INVALID_DATA",
    );
    expect(error.details).toMatchObject({ table: "person" });
    await expectCustosError(createDuckDbOmopStore({}), "INVALID_ARGUMENT");
  });

  it("names the table, file, line and column of a value that does not parse", async () => {
    const dir = await sampleCopy("corrupt");
    const text = await readFile(join(dir, "PERSON.csv"), "utf8");
    const lines = text.split("\n");
    lines[3] = (lines[3] as string).replace(/^(\d+),8\d+,/, "$1,not-a-concept,");
    await writeFile(join(dir, "PERSON.csv"), lines.join("\n"));
    const error = await expectCustosError(
      createDuckDbOmopStore({ directory: dir }),
      "OMOP_STORE_INVALID_DATA",
    );
    expect(error.details).toEqual({
      table: "person",
      file: "PERSON.csv",
      line: 4,
      column: "gender_concept_id",
      reason: "not a valid BIGINT",
    });
    expect(JSON.stringify(error)).not.toContain("not-a-concept");
  });

  it("refuses malformed CSV, unknown and missing columns, and two files for a table", async () => {
    const cases: [string, (dir: string) => Promise<void>, Record<string, unknown>][] = [
      [
        "unterminated",
        (dir) => writeFile(join(dir, "DEATH.csv"), 'person_id,death_date\n7,"2019-05-28\n'),
        { table: "death", file: "DEATH.csv", line: 2 },
      ],
      [
        "short-row",
        (dir) => writeFile(join(dir, "DEATH.csv"), "person_id,death_date\n7\n"),
        { table: "death", line: 2 },
      ],
      [
        "unknown-column",
        (dir) => writeFile(join(dir, "DEATH.csv"), "person_id,death_date,cause\n7,2019-05-28,x\n"),
        { table: "death", column: "cause" },
      ],
      [
        "missing-column",
        (dir) => writeFile(join(dir, "DEATH.csv"), "person_id\n7\n"),
        { table: "death", column: "death_date" },
      ],
      [
        "empty-required",
        (dir) => writeFile(join(dir, "DEATH.csv"), "person_id,death_date\n7,\n"),
        { table: "death", column: "death_date" },
      ],
      [
        "two-files",
        (dir) => copyFile(join(dir, "DEATH.csv"), join(dir, "death.csv")),
        { table: "death", files: ["DEATH.csv", "death.csv"] },
      ],
      ["empty-file", (dir) => writeFile(join(dir, "DEATH.csv"), ""), { file: "DEATH.csv" }],
    ];
    for (const [name, spoil, details] of cases) {
      const dir = await sampleCopy(name);
      await spoil(dir);
      const error = await expectCustosError(
        createDuckDbOmopStore({ directory: dir }),
        "OMOP_STORE_INVALID_DATA",
      );
      expect(error.details, name).toMatchObject(details);
    }
  });

  it("fails every use after close with OMOP_STORE_UNAVAILABLE, also a running one", async () => {
    const store = await createDuckDbOmopStore({ directory: OMOP_SAMPLE_DIR });
    const open = store.withSession((session) =>
      session.run("SELECT count(*) AS n FROM range(100000000000) a, range(1000) b"),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.close();
    await expectCustosError(open, "OMOP_STORE_UNAVAILABLE");
    await expectCustosError(store.info(), "OMOP_STORE_UNAVAILABLE");
    await expectCustosError(
      store.withSession(async () => 1),
      "OMOP_STORE_UNAVAILABLE",
    );
    await store.close();
  });
});
