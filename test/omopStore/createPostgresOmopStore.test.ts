import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPostgresOmopStore,
  loadOmopCsvIntoPostgres,
  type OmopStore,
  type PostgresConnectionOptions,
} from "../../src/omopStore/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { OMOP_SAMPLE_DIR } from "./openTestOmopStores.ts";
import { freePort, startTestPostgres, type TestPostgres } from "./startTestPostgres.ts";

const LONG_STATEMENT =
  "SELECT count(*) AS n FROM generate_series(1, 100000000) a, generate_series(1, 1000) b";

let server: TestPostgres;
let connection: PostgresConnectionOptions;
let scratch: string;
let store: OmopStore;

/** Runs SQL as the server's superuser. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [server, scratch] = await Promise.all([
    startTestPostgres(),
    mkdtemp(join(tmpdir(), "custos-pg-data-")),
  ]);
  connection = { connectionString: server.connectionString };
  await loadOmopCsvIntoPostgres({ connection, directory: OMOP_SAMPLE_DIR });
  store = await createPostgresOmopStore(connection);
});
afterAll(async () => {
  await store?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("loadOmopCsvIntoPostgres", () => {
  it("loads every table of the sample into a schema of its own", async () => {
    const loaded = await loadOmopCsvIntoPostgres({
      connection,
      directory: OMOP_SAMPLE_DIR,
      schema: "public",
    });
    expect(loaded).toContainEqual({ table: "person", rows: 28 });
    expect(loaded).toContainEqual({ table: "measurement", rows: 10040 });
    expect(loaded.map((entry) => entry.table)).toHaveLength(12);
    const inPublic = await createPostgresOmopStore({ ...connection, schema: "public" });
    try {
      expect((await inPublic.info()).personCount).toBe(28);
    } finally {
      await inPublic.close();
    }
  });

  it("names the line and column of a value PostgreSQL refuses, and keeps the schema as it was", async () => {
    const dir = join(scratch, "corrupt");
    await mkdir(dir);
    for (const file of await readdir(OMOP_SAMPLE_DIR)) {
      await copyFile(join(OMOP_SAMPLE_DIR, file), join(dir, file));
    }
    await writeFile(
      join(dir, "DEATH.csv"),
      "person_id,death_date,death_type_concept_id\n7,2019-05-28,1\n11,2009-13-45,1\n",
    );
    const error = await expectCustosError(
      loadOmopCsvIntoPostgres({ connection, directory: dir }),
      "OMOP_STORE_INVALID_DATA",
    );
    expect(error.details).toEqual({
      table: "death",
      file: "DEATH.csv",
      line: 3,
      column: "death_date",
      reason: expect.stringMatching(/date/),
    });
    expect(JSON.stringify(error)).not.toContain("2009-13-45");
    expect((await store.info()).personCount).toBe(28);

    await copyFile(join(OMOP_SAMPLE_DIR, "PERSON.csv"), join(dir, "person.parquet"));
    await expectCustosError(
      loadOmopCsvIntoPostgres({ connection, directory: dir }),
      "OMOP_STORE_INVALID_DATA",
    );
  });
});

describe("createPostgresOmopStore", () => {
  it("speaks PostgreSQL and tells the data's facts", async () => {
    expect(store.dialect).toBe("postgres");
    expect(await store.info()).toMatchObject({
      engine: expect.stringMatching(/^PostgreSQL 17\./),
      cdmVersion: "5.4",
      vocabularyVersion: "v5.0 09-APR-22*",
      sourceReleaseDate: "2022-10-10",
      personCount: 28,
    });
  });

  it("takes a million allowed persons fast, and drops them with the session", async () => {
    const ids = Float64Array.from({ length: 1_000_000 }, (_, i) => 3 * i + 1);
    const rows = await store.withSession(async (session) => {
      const started = performance.now();
      await session.setAllowedPersons(ids);
      expect(performance.now() - started).toBeLessThan(3000);
      return session.run("SELECT count(*) AS n, max(person_id) AS high FROM custos_allowed");
    });
    expect(rows).toEqual([{ n: 1_000_000, high: 2_999_998 }]);
    // Every pooled connection: none may still hold an allow-list.
    const leftovers = await Promise.all(
      Array.from({ length: 4 }, () =>
        store.withSession((session) =>
          session.run("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'custos_allowed'"),
        ),
      ),
    );
    expect(leftovers.flat()).toEqual(Array.from({ length: 4 }, () => ({ n: 0 })));
  });

  it("normalises values without pg's global parsers or time zones", async () => {
    expect(pg.types.getTypeParser(1082)("2020-01-02")).toBeInstanceOf(Date);
    const [row] = await store.withSession((session) =>
      session.run(
        "SELECT DATE '2020-01-02' AS d, TIMESTAMP '2020-01-02 03:04:05.5' AS ts, CAST(9007199254740991 AS bigint) AS big, CAST(1.50 AS numeric) AS n, CAST(0.1 AS float8) AS f, CAST(NULL AS text) AS x, 'a' AS literal",
      ),
    );
    expect(row).toEqual({
      d: "2020-01-02",
      ts: "2020-01-02 03:04:05.5",
      big: 9007199254740991,
      n: 1.5,
      f: 0.1,
      x: null,
      literal: "a",
    });
  });

  it("fails bad statements with OMOP_STORE_QUERY_FAILED, quoting no parameter", async () => {
    const syntax = await expectCustosError(
      store.withSession((session) => session.run("SELEC 1")),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(syntax.details).toEqual({ engine: "postgres", sqlState: "42601" });
    const secret = "person-4711";
    const conversion = await expectCustosError(
      store.withSession((session) => session.run("SELECT CAST($1 AS bigint) AS n", [secret])),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(JSON.stringify(conversion)).not.toContain(secret);
    expect(conversion.message).not.toContain(secret);
    for (const sql of ["SELECT true AS flag", "SELECT 1 AS a, 2 AS a", "SELECT now() AS t"]) {
      await expectCustosError(
        store.withSession((session) => session.run(sql)),
        "OMOP_STORE_QUERY_FAILED",
      );
    }
  });

  it("cancels a running statement when the signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const error = await expectCustosError(
      store.withSession((session) => session.run(LONG_STATEMENT), { signal: controller.signal }),
      "OMOP_STORE_QUERY_FAILED",
    );
    expect(error.details).toMatchObject({ cancelled: true });
    expect(performance.now() - started).toBeLessThan(2000);
    // The cancelled connection is closed, not pooled again; its backend exits moments later.
    const active = () =>
      store.withSession((session) =>
        session.run(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND query LIKE '%generate_series(1, 100000000)%' AND pid <> pg_backend_pid()",
        ),
      );
    await expect.poll(active, { timeout: 2000, interval: 50 }).toEqual([{ n: 0 }]);
  });

  it("refuses an unreachable server quickly, naming it without the password", async () => {
    const closedPort = await freePort();
    const password = "do-not-leak-this";
    const started = performance.now();
    const error = await expectCustosError(
      createPostgresOmopStore({
        host: "127.0.0.1",
        port: closedPort,
        user: "reader",
        password,
        database: "omop",
        connectTimeoutMs: 1000,
      }),
      "OMOP_STORE_UNAVAILABLE",
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.details).toEqual({
      engine: "postgres",
      host: "127.0.0.1",
      port: closedPort,
      database: "omop",
      user: "reader",
      reason: "ECONNREFUSED",
    });
    expect(JSON.stringify(error)).not.toContain(password);
    expect(error.message).not.toContain(password);

    const wrong = await expectCustosError(
      createPostgresOmopStore({
        connectionString: `postgresql://${server.user}:${password}@127.0.0.1:${server.port}/${server.database}`,
      }),
      "OMOP_STORE_UNAVAILABLE",
    );
    expect(wrong.details).toMatchObject({ reason: "28P01" });
    expect(JSON.stringify(wrong)).not.toContain(password);
  });

  it("refuses a schema without the CDM", async () => {
    await admin("CREATE SCHEMA IF NOT EXISTS empty");
    const error = await expectCustosError(
      createPostgresOmopStore({ ...connection, schema: "empty" }),
      "OMOP_STORE_INVALID_DATA",
    );
    expect(error.details).toMatchObject({ schema: "empty", table: "person" });
    await expectCustosError(
      createPostgresOmopStore({ ...connection, schema: 'cdm"; DROP' }),
      "INVALID_ARGUMENT",
    );
  });

  it("works with a read-only role that has TEMPORARY, and only with it", async () => {
    await admin(`
      CREATE ROLE custos_reader LOGIN PASSWORD 'reader-pw';
      REVOKE TEMPORARY ON DATABASE postgres FROM PUBLIC;
      GRANT USAGE ON SCHEMA cdm TO custos_reader;
      GRANT SELECT ON ALL TABLES IN SCHEMA cdm TO custos_reader;
    `);
    const reader = await createPostgresOmopStore({
      host: server.host,
      port: server.port,
      database: server.database,
      user: "custos_reader",
      password: "reader-pw",
    });
    const allowAndCount = () =>
      reader.withSession(async (session) => {
        await session.setAllowedPersons([1, 2, 3]);
        return session.run(
          "SELECT count(*) AS n FROM person JOIN custos_allowed USING (person_id)",
        );
      });
    try {
      expect((await reader.info()).personCount).toBe(28);
      const refused = await expectCustosError(allowAndCount(), "OMOP_STORE_QUERY_FAILED");
      expect(refused.details).toMatchObject({ sqlState: "42501" });
      await admin("GRANT TEMPORARY ON DATABASE postgres TO custos_reader");
      expect(await allowAndCount()).toEqual([{ n: 3 }]);
      const write = await expectCustosError(
        reader.withSession((session) => session.run("DELETE FROM person")),
        "OMOP_STORE_QUERY_FAILED",
      );
      expect(write.details).toMatchObject({ sqlState: "42501" });
    } finally {
      await reader.close();
      await admin("GRANT TEMPORARY ON DATABASE postgres TO PUBLIC");
    }
  });

  it("fails every use after close with OMOP_STORE_UNAVAILABLE, also a running one", async () => {
    const closing = await createPostgresOmopStore(connection);
    const running = closing.withSession((session) => session.run(LONG_STATEMENT));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await closing.close();
    expect(performance.now() - started).toBeLessThan(2000);
    await expectCustosError(running, "OMOP_STORE_UNAVAILABLE");
    await expectCustosError(closing.info(), "OMOP_STORE_UNAVAILABLE");
    await expectCustosError(
      closing.withSession(async () => 1),
      "OMOP_STORE_UNAVAILABLE",
    );
  });
});
