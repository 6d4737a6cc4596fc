import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createDuckDbOmopStore,
  type OmopStoreConfigInput,
  openOmopStore,
  resolveOmopStoreConfig,
} from "../../src/omopStore/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { OMOP_SAMPLE_DIR } from "./openTestOmopStores.ts";
import { freePort } from "./startTestPostgres.ts";

describe("resolveOmopStoreConfig", () => {
  it("takes a DuckDB path, resolved against the config's directory", () => {
    expect(
      resolveOmopStoreConfig({ engine: "duckdb", path: "omop" }, { baseDir: "/etc/custos" }),
    ).toEqual({ engine: "duckdb", path: "/etc/custos/omop" });
    expect(resolveOmopStoreConfig({ engine: "duckdb", path: "/data/omop.duckdb" })).toEqual({
      engine: "duckdb",
      path: "/data/omop.duckdb",
    });
  });

  it("fills PostgreSQL defaults and freezes the result", () => {
    const config = resolveOmopStoreConfig({ engine: "postgres", host: "db", database: "omop" });
    expect(config).toEqual({
      engine: "postgres",
      host: "db",
      database: "omop",
      schema: "cdm",
      maxConnections: 4,
      connectTimeoutMs: 5000,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(
      resolveOmopStoreConfig({
        engine: "postgres",
        connectionString: "postgresql://reader@db/omop",
        schema: "public",
      }),
    ).toMatchObject({ schema: "public" });
  });

  it.each([
    ["not an object", "omop", ""],
    ["no engine", { path: "x" }, "engine"],
    ["an unknown engine", { engine: "sqlite", path: "x" }, "engine"],
    ["an empty path", { engine: "duckdb", path: "" }, "path"],
    ["no path", { engine: "duckdb" }, "path"],
    ["an unknown field", { engine: "duckdb", path: "x", threads: 4 }, "threads"],
    ["a port out of range", { engine: "postgres", host: "db", port: 70000 }, "port"],
    [
      "a schema that is not an identifier",
      { engine: "postgres", host: "db", schema: "a b" },
      "schema",
    ],
    [
      "too many connections",
      { engine: "postgres", host: "db", maxConnections: 0 },
      "maxConnections",
    ],
    ["neither host nor connection string", { engine: "postgres", database: "omop" }, "host"],
    [
      "both host and connection string",
      { engine: "postgres", host: "db", connectionString: "postgresql://db/omop" },
      "host",
    ],
  ])("refuses %s, naming the field", (_, document, field) => {
    const error = expectCustosError(() => resolveOmopStoreConfig(document), "CONFIG_INVALID");
    expect(error.details).toMatchObject({ field });
  });

  it("names fields under the key the config sits at", () => {
    const error = expectCustosError(
      () =>
        resolveOmopStoreConfig({ engine: "postgres", host: "db", port: "5432" }, { field: "omop" }),
      "CONFIG_INVALID",
    );
    expect(error.details).toMatchObject({
      field: "omop.port",
      reason: "must be an integer 1..65535",
    });
  });
});

describe("openOmopStore", () => {
  it("opens DuckDB on a directory", async () => {
    const store = await openOmopStore({ engine: "duckdb", path: OMOP_SAMPLE_DIR });
    try {
      expect(store.dialect).toBe("duckdb");
      expect((await store.info()).personCount).toBe(28);
    } finally {
      await store.close();
    }
  });

  it("opens DuckDB on a database file loaded before", async () => {
    const dir = await mkdtemp(join(tmpdir(), "custos-open-"));
    try {
      const databaseFile = join(dir, "omop.duckdb");
      await (await createDuckDbOmopStore({ directory: OMOP_SAMPLE_DIR, databaseFile })).close();
      const store = await openOmopStore({ engine: "duckdb", path: databaseFile });
      expect((await store.info()).personCount).toBe(28);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("validates a parsed document before opening anything", async () => {
    const parsed = JSON.parse('{"engine":"duckdb","path":42}') as OmopStoreConfigInput;
    await expectCustosError(openOmopStore(parsed), "CONFIG_INVALID");
    await expectCustosError(
      openOmopStore({ engine: "duckdb", path: join(resolve(OMOP_SAMPLE_DIR), "absent") }),
      "OMOP_STORE_INVALID_DATA",
    );
    await expectCustosError(
      openOmopStore({
        engine: "postgres",
        host: "127.0.0.1",
        port: await freePort(),
        connectTimeoutMs: 500,
      }),
      "OMOP_STORE_UNAVAILABLE",
    );
  });
});
