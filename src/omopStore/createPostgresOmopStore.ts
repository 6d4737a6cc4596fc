import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { CustosError } from "../errors/index.ts";
import { cancelPostgresStatement } from "./cancelPostgresStatement.ts";
import { checkPersonIds } from "./checkPersonIds.ts";
import type {
  OmopSession,
  OmopSessionOptions,
  OmopStore,
  OmopStoreInfo,
  SqlRow,
  SqlValue,
} from "./OmopStore.ts";
import { isOmopCdmTable, requiredOmopTables } from "./omopCdmTables.ts";
import { omopQueryFailed } from "./omopQueryFailed.ts";
import {
  type PostgresConnectionOptions,
  type PostgresTarget,
  postgresClientConfig,
  postgresTarget,
} from "./postgresClientConfig.ts";
import { postgresRows } from "./postgresRows.ts";
import {
  isPostgresConnectionLost,
  postgresSqlState,
  postgresUnavailable,
} from "./postgresUnavailable.ts";

/** A hospital's PostgreSQL OMOP database and how Custos uses it. */
export interface PostgresOmopStoreOptions extends PostgresConnectionOptions {
  /** The schema holding the CDM tables (default `cdm`; often `public`). */
  readonly schema?: string;
  /**
   * Connections kept open at most: one per concurrent session (default 4). A session waits
   * for a free one at most `connectTimeoutMs`, as for a new one, then fails with
   * `OMOP_STORE_UNAVAILABLE` (reason `timeout`).
   */
  readonly maxConnections?: number;
}

/** Defaults of {@link PostgresOmopStoreOptions}. */
export const defaultPostgresOmopStoreOptions = { schema: "cdm", maxConnections: 4 } as const;

/** A plain SQL identifier: it is written into `search_path` and quoted nowhere else. */
export const POSTGRES_SCHEMA_PATTERN = "^[A-Za-z_][A-Za-z0-9_]{0,62}$";

// How long a cancelled statement may take to end before its connection is closed under it.
const CANCEL_GRACE_MS = 3000;
// The allow-list goes to COPY in pieces of this many ids.
const COPY_CHUNK_IDS = 65_536;
function pgParameter(value: SqlValue): string | number | boolean | null {
  return typeof value === "bigint" ? value.toString() : value;
}

/** What a failure's SQLSTATE tells a hospital's DBA, for the two a role's set-up causes. */
function failureMessage(sqlState: string): string {
  if (sqlState === "42501") return "the role lacks a privilege (SQLSTATE 42501)";
  if (sqlState === "25006") {
    return "the role's transactions are read-only, so it cannot create its temporary table (SQLSTATE 25006)";
  }
  return `the statement failed (SQLSTATE ${sqlState})`;
}

function cancelled(cause?: unknown) {
  return omopQueryFailed("postgres", "the statement was cancelled", { cancelled: true }, cause);
}

interface SessionHandle {
  readonly session: OmopSession;
  cancel(): void;
  /**
   * Waits for a running statement to settle, then gives the connection back: cleaned of the
   * session's temporary tables, or closed when it is broken or had a statement cancelled.
   */
  end(): Promise<void>;
}

function openSession(
  client: pg.PoolClient,
  target: PostgresTarget,
  storeClosed: () => boolean,
  signal: AbortSignal | undefined,
): SessionHandle {
  let ended = false;
  let isCancelled = false;
  let cancelSent = false;
  let lost = false;
  let running = 0;
  let tail: Promise<unknown> = Promise.resolve();
  let grace: NodeJS.Timeout | undefined;
  let released = false;
  const release = (destroy: boolean) => {
    if (released) return;
    released = true;
    client.off("error", onError);
    client.release(destroy ? true : undefined);
  };
  const onError = () => {
    lost = true;
  };
  client.on("error", onError);

  const usable = () => {
    if (storeClosed()) throw postgresUnavailable(target, "the store is closed");
    if (ended) throw postgresUnavailable(target, "the session has ended");
    if (isCancelled || signal?.aborted === true) throw cancelled();
    if (lost) throw postgresUnavailable(target, "the connection was lost");
  };

  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const result = tail.then(async () => {
      usable();
      running++;
      try {
        return await step();
      } catch (error) {
        if (error instanceof CustosError) throw error;
        if (storeClosed()) throw postgresUnavailable(target, "the store was closed", error);
        if (isCancelled || signal?.aborted === true) throw cancelled(error);
        if (isPostgresConnectionLost(error)) {
          lost = true;
          throw postgresUnavailable(target, "the connection was lost", error);
        }
        const sqlState = postgresSqlState(error) as string;
        throw omopQueryFailed("postgres", failureMessage(sqlState), { sqlState }, error);
      } finally {
        running--;
        if (running === 0 && grace !== undefined) clearTimeout(grace);
      }
    });
    tail = result.catch(() => undefined);
    return result;
  };

  const session: OmopSession = {
    setAllowedPersons: (personIds) => {
      checkPersonIds(personIds);
      return serial(async () => {
        await client.query("DROP TABLE IF EXISTS pg_temp.custos_allowed");
        await client.query("CREATE TEMPORARY TABLE custos_allowed (person_id bigint)");
        // COPY, then one key build over the loaded ids: 0.5 s for a million here, against
        // 1.0–1.7 s for `insert … select unnest($1::bigint[])` into a keyed table (decision 012).
        const chunks = function* () {
          for (let offset = 0; offset < personIds.length; offset += COPY_CHUNK_IDS) {
            const part = personIds.slice(offset, offset + COPY_CHUNK_IDS);
            yield `${Array.prototype.join.call(part, "\n")}\n`;
          }
        };
        await pipeline(
          Readable.from(chunks()),
          client.query(copyFrom("COPY custos_allowed (person_id) FROM STDIN")),
        );
        try {
          await client.query("ALTER TABLE custos_allowed ADD PRIMARY KEY (person_id)");
        } catch (error) {
          if (postgresSqlState(error) !== "23505") throw error;
          throw omopQueryFailed("postgres", "the allowed person ids are not distinct", {}, error);
        }
        // Autovacuum never analyses temporary tables: without this the planner guesses the
        // allow-list's size.
        await client.query("ANALYZE custos_allowed");
      });
    },
    run: (sql, params = []) =>
      serial(async () => {
        const result = await client.query<(string | null)[]>({
          text: sql,
          values: params.map(pgParameter),
          rowMode: "array",
        });
        return postgresRows(result) as readonly SqlRow[];
      }),
  };

  return {
    session,
    cancel: () => {
      if (isCancelled || ended) return;
      isCancelled = true;
      if (running === 0) return;
      cancelSent = true;
      void cancelPostgresStatement(client);
      // A server that cannot be reached to cancel may never answer either: close the
      // connection under the statement, which then fails at once.
      grace = setTimeout(() => {
        lost = true;
        release(true);
      }, CANCEL_GRACE_MS);
    },
    end: async () => {
      await tail;
      ended = true;
      if (grace !== undefined) clearTimeout(grace);
      // A cancel request that arrives late would hit the next user's statement, so a
      // connection that had one is not reused; nor is a broken one.
      let reusable = !lost && !cancelSent && !released;
      if (reusable) {
        reusable = await client.query("DISCARD TEMP").then(
          () => true,
          () => false,
        );
      }
      release(!reusable);
    },
  };
}

/**
 * A hospital's own OMOP CDM v5.4 database on PostgreSQL, read through a small pool. Each
 * session checks out one connection for its unit of work; its `custos_allowed` temporary
 * table is dropped (`DISCARD TEMP`) before the connection goes back. Values come back as the
 * DuckDB store gives them: every value is read as PostgreSQL's text with fixed session
 * settings (DateStyle ISO, UTC, exact floats) and converted by column type, never through a
 * JavaScript Date, with no process-wide pg type parser touched. Needs only SELECT on the
 * CDM schema and TEMPORARY on the database (docs/omop-store.md).
 *
 * @throws CustosError `OMOP_STORE_UNAVAILABLE` when the server cannot be reached or refuses
 *   the login, within `connectTimeoutMs` (details: host, port, database, user, reason — never
 *   the password); `OMOP_STORE_INVALID_DATA` when the schema lacks PERSON or
 *   OBSERVATION_PERIOD; `INVALID_ARGUMENT` for a schema name that is not a plain identifier.
 * @example
 * ```ts
 * const store = await createPostgresOmopStore({
 *   host: "omop.hospital.internal",
 *   database: "omop",
 *   user: "custos_reader",
 *   schema: "cdm",
 * });
 * const [row] = await store.withSession((session) => session.run("SELECT count(*) AS n FROM person"));
 * await store.close();
 * ```
 */
export async function createPostgresOmopStore(
  options: PostgresOmopStoreOptions,
): Promise<OmopStore> {
  const schema = options.schema ?? defaultPostgresOmopStoreOptions.schema;
  if (!new RegExp(POSTGRES_SCHEMA_PATTERN).test(schema)) {
    throw new CustosError("INVALID_ARGUMENT", "schema must be a plain SQL identifier", {
      details: { field: "schema" },
    });
  }
  const target = postgresTarget(options);
  const pool = new pg.Pool({
    ...postgresClientConfig(options, schema),
    max: options.maxConnections ?? defaultPostgresOmopStoreOptions.maxConnections,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that breaks is dropped by the pool; the next checkout opens another.
  pool.on("error", () => undefined);

  let closed = false;
  const sessions = new Set<SessionHandle>();
  const running = new Set<Promise<unknown>>();

  const checkout = async () => {
    try {
      return await pool.connect();
    } catch (error) {
      throw postgresUnavailable(target, "cannot connect", error);
    }
  };

  const tablesPresent = async (client: pg.PoolClient) => {
    const result = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [schema],
    );
    return result.rows
      .map((row) => row.table_name.toLowerCase())
      .filter(isOmopCdmTable)
      .sort();
  };

  const first = await checkout();
  try {
    const present = await tablesPresent(first);
    for (const table of requiredOmopTables) {
      if (!present.includes(table)) {
        throw new CustosError(
          "OMOP_STORE_INVALID_DATA",
          `schema ${schema} of ${target.database} has no ${table} table (or the role may not see it)`,
          { details: { engine: "postgres", ...target, schema, table } },
        );
      }
    }
    first.release();
  } catch (error) {
    first.release(true);
    await pool.end();
    if (error instanceof CustosError) throw error;
    throw postgresUnavailable(target, "cannot read the schema", error);
  }

  const ensureOpen = () => {
    if (closed) throw postgresUnavailable(target, "the store is closed");
  };

  return {
    dialect: "postgres",
    info: async () => {
      ensureOpen();
      const client = await checkout();
      try {
        const tables = await tablesPresent(client);
        const facts = await client.query<{ version: string; persons: string }>(
          "SELECT current_setting('server_version') AS version, (SELECT count(*) FROM person) AS persons",
        );
        let source: (string | null)[] = [];
        if (tables.includes("cdm_source")) {
          const result = await client.query<(string | null)[]>({
            text: "SELECT cdm_version, vocabulary_version, source_release_date::text FROM cdm_source ORDER BY source_release_date DESC NULLS LAST LIMIT 1",
            rowMode: "array",
          });
          source = result.rows[0] ?? [];
        }
        const fact = facts.rows[0];
        const info: OmopStoreInfo = {
          engine: `PostgreSQL ${fact?.version ?? "?"}`,
          cdmVersion: source[0] ?? null,
          vocabularyVersion: source[1] ?? null,
          sourceReleaseDate: source[2] ?? null,
          personCount: Number(fact?.persons ?? 0),
          tables,
        };
        client.release();
        return info;
      } catch (error) {
        client.release(true);
        throw isPostgresConnectionLost(error)
          ? postgresUnavailable(target, "the connection was lost", error)
          : omopQueryFailed(
              "postgres",
              `reading the data's facts failed (SQLSTATE ${postgresSqlState(error)})`,
              { sqlState: postgresSqlState(error) },
              error,
            );
      }
    },
    withSession: async <T>(
      work: (session: OmopSession) => Promise<T>,
      sessionOptions?: OmopSessionOptions,
    ): Promise<T> => {
      const signal = sessionOptions?.signal;
      ensureOpen();
      if (signal?.aborted === true) throw cancelled();
      const client = await checkout();
      const handle = openSession(client, target, () => closed, signal);
      const onAbort = () => handle.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
      sessions.add(handle);
      const unit = (async () => {
        try {
          const result = await work(handle.session);
          if (signal?.aborted === true) throw cancelled();
          return result;
        } finally {
          signal?.removeEventListener("abort", onAbort);
          await handle.end();
          sessions.delete(handle);
        }
      })();
      running.add(unit);
      try {
        return await unit;
      } finally {
        running.delete(unit);
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const handle of sessions) handle.cancel();
      await Promise.allSettled(running);
      await pool.end();
    },
  };
}
