import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { CustosError, isCustosError } from "../errors/index.ts";
import { checkOmopColumns } from "./checkOmopColumns.ts";
import { defaultPostgresOmopStoreOptions } from "./createPostgresOmopStore.ts";
import { listOmopFiles, type OmopDataFile } from "./listOmopFiles.ts";
import type { OmopCdmTable } from "./omopCdmTables.ts";
import { omopQueryFailed } from "./omopQueryFailed.ts";
import { omopTableSql } from "./omopTableSql.ts";
import {
  type PostgresConnectionOptions,
  postgresClientConfig,
  postgresTarget,
} from "./postgresClientConfig.ts";
import {
  isPostgresConnectionLost,
  postgresSqlState,
  postgresUnavailable,
} from "./postgresUnavailable.ts";
import { quoteSqlIdentifier } from "./quoteSqlIdentifier.ts";
import { readCsvHeader } from "./readCsvHeader.ts";

/** What to load where. */
export interface LoadOmopCsvIntoPostgresOptions {
  /** The server and database to load into; the role must be allowed to create the schema. */
  readonly connection: PostgresConnectionOptions;
  /** A directory of OMOP CDM v5.4 CSV files, as the DuckDB store reads. */
  readonly directory: string;
  /** The schema to create the tables in (default `cdm`); created when missing. */
  readonly schema?: string;
  readonly signal?: AbortSignal;
}

/** One loaded table. */
export interface LoadedOmopTable {
  readonly table: OmopCdmTable;
  readonly rows: number;
}

interface CopyFailure {
  readonly line?: number;
  readonly column?: string;
  readonly reason: string;
}

/**
 * Why COPY refused a file, in words that quote no value: PostgreSQL's message and context
 * can carry the offending value or the whole line, which is patient data.
 */
function describeFailure(error: unknown): CopyFailure {
  const { code, where, message, column } = error as {
    code?: string;
    where?: string;
    message?: string;
    column?: string;
  };
  const place = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(where ?? "");
  const at = {
    ...(place?.[1] === undefined ? {} : { line: Number(place[1]) }),
    ...((place?.[2] ?? column) === undefined ? {} : { column: (place?.[2] ?? column) as string }),
  };
  const type = /for type ([a-z ]+):/.exec(message ?? "")?.[1];
  if (type !== undefined) return { ...at, reason: `not a valid ${type}` };
  if (code === "23502") return { ...at, reason: "a required value is empty" };
  if (code === "22007" || code === "22008") return { ...at, reason: "not a valid date or time" };
  // Format errors name columns, never values ("missing data for column …").
  if (code === "22P04") return { ...at, reason: message ?? "malformed CSV" };
  return { ...at, reason: `cannot be loaded (SQLSTATE ${code ?? "unknown"})` };
}

async function copyFile(
  client: pg.Client,
  schema: string,
  file: OmopDataFile,
  signal: AbortSignal | undefined,
): Promise<number> {
  const columns = checkOmopColumns(
    file.table,
    await readCsvHeader(file.path, file.name),
    file.name,
  );
  const list = columns.map(quoteSqlIdentifier).join(", ");
  const table = `${quoteSqlIdentifier(schema)}.${quoteSqlIdentifier(file.table)}`;
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(omopTableSql(file.table, "postgres", schema));
  // FORCE_NULL reads a quoted empty value ("") as NULL too, as DuckDB's CSV reader does.
  const copy = client.query(
    copyFrom(
      `COPY ${table} (${list}) FROM STDIN WITH (FORMAT csv, HEADER true, FORCE_NULL (${list}))`,
    ),
  );
  try {
    await pipeline(createReadStream(file.path), copy, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    const failure = describeFailure(error);
    const where = failure.line === undefined ? "" : ` line ${failure.line}`;
    const column = failure.column === undefined ? "" : ` column ${failure.column}`;
    throw new CustosError(
      "OMOP_STORE_INVALID_DATA",
      `${file.name}${where}${column}: ${failure.reason}`,
      { details: { table: file.table, file: file.name, ...failure }, cause: error },
    );
  }
  return copy.rowCount;
}

/**
 * Creates the OMOP CDM v5.4 tables of a CSV directory in a PostgreSQL schema, with the same
 * column types as the DuckDB store, and loads each file with COPY, all in one transaction
 * (tables of the same name are replaced; a file that fails leaves the schema as it was).
 * For tests, the demo and benchmarks: a hospital's OMOP database is loaded by its own ETL.
 *
 * @throws CustosError `OMOP_STORE_INVALID_DATA` for a bad directory, a missing PERSON or
 *   OBSERVATION_PERIOD, a Parquet file, or a file PostgreSQL refuses (details: table, file,
 *   line, column); `OMOP_STORE_UNAVAILABLE` when the server cannot be reached.
 * @example
 * ```ts
 * await loadOmopCsvIntoPostgres({
 *   connection: { connectionString: "postgresql://custos@127.0.0.1:5432/omop" },
 *   directory: "data/omop-synthea27nj",
 * });
 * ```
 */
export async function loadOmopCsvIntoPostgres(
  options: LoadOmopCsvIntoPostgresOptions,
): Promise<LoadedOmopTable[]> {
  const schema = options.schema ?? defaultPostgresOmopStoreOptions.schema;
  const files = await listOmopFiles(options.directory);
  const parquet = files.find((file) => file.format !== "csv");
  if (parquet !== undefined) {
    throw new CustosError(
      "OMOP_STORE_INVALID_DATA",
      `${parquet.name}: only CSV files load into PostgreSQL`,
      { details: { table: parquet.table, file: parquet.name } },
    );
  }
  const target = postgresTarget(options.connection);
  const client = new pg.Client(postgresClientConfig(options.connection));
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw postgresUnavailable(target, "cannot connect", error);
  }
  try {
    await client.query("BEGIN");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSqlIdentifier(schema)}`);
    const loaded: LoadedOmopTable[] = [];
    for (const file of files) {
      options.signal?.throwIfAborted();
      loaded.push({
        table: file.table,
        rows: await copyFile(client, schema, file, options.signal),
      });
    }
    await client.query("COMMIT");
    for (const { table } of loaded) {
      await client.query(`ANALYZE ${quoteSqlIdentifier(schema)}.${quoteSqlIdentifier(table)}`);
    }
    return loaded;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (isCustosError(error)) throw error;
    if (options.signal?.aborted === true) {
      throw omopQueryFailed("postgres", "loading was cancelled", { cancelled: true }, error);
    }
    if (isPostgresConnectionLost(error)) {
      throw postgresUnavailable(target, "the connection was lost", error);
    }
    const sqlState = postgresSqlState(error);
    throw omopQueryFailed(
      "postgres",
      `loading into schema ${schema} failed (SQLSTATE ${sqlState})`,
      { schema, sqlState },
      error,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
