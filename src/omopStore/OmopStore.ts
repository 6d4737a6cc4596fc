/** The SQL dialect a store speaks: the query compiler emits statements for it. */
export type SqlDialect = "duckdb" | "postgres";

/** A bound statement parameter (`$1`, `$2`, … in both dialects). */
export type SqlValue = number | bigint | string | boolean | null;

/**
 * One result row, keyed by lower-case column name. Both adapters normalise values alike, so
 * that equal data gives deep-equal rows: integer columns (including `bigint` and counts) are
 * JavaScript numbers (a value beyond 2^53 is an error, not a rounded number), floating
 * columns are numbers, text is a string, a `date` is `YYYY-MM-DD`, a `timestamp` is
 * `YYYY-MM-DD HH:MM:SS` (fractional seconds only when not zero), and SQL NULL is `null`.
 * Exact decimals are cast to text by the statement itself (to a fixed scale, e.g.
 * `CAST(CAST(sum(x) AS decimal(20,4)) AS varchar)`, since the engines print different scales);
 * a decimal left uncast is the nearest number. Any other type (boolean, interval, `timestamp
 * with time zone`, lists) is refused with `OMOP_STORE_QUERY_FAILED`: the statement casts it.
 */
export type SqlRow = Readonly<Record<string, number | string | null>>;

/** What the data service records about the data a result was computed from. */
export interface OmopStoreInfo {
  /** The engine and its version, e.g. `duckdb v1.5.6`, `PostgreSQL 17.10`. */
  readonly engine: string;
  /** `CDM_SOURCE.cdm_version`, or null when the table or row is missing. */
  readonly cdmVersion: string | null;
  /** `CDM_SOURCE.vocabulary_version`, or null. */
  readonly vocabularyVersion: string | null;
  /** `CDM_SOURCE.source_release_date` as `YYYY-MM-DD`: the data snapshot date, or null. */
  readonly sourceReleaseDate: string | null;
  /** Rows in PERSON. */
  readonly personCount: number;
  /** Lower-case names of the OMOP tables present. */
  readonly tables: readonly string[];
}

/**
 * One connection held for a unit of work: temporary tables (the consent allow-list, the
 * cohort) live in it and vanish with it.
 */
export interface OmopSession {
  /**
   * Replaces the session's temporary table `custos_allowed(person_id bigint primary key)`
   * with these person ids (distinct; any order). This is how the consent allow-list reaches
   * SQL: compiled statements join it, so a person not in it cannot contribute.
   */
  setAllowedPersons(personIds: readonly number[] | Float64Array): Promise<void>;
  /**
   * Runs one statement with positional parameters and returns its rows.
   *
   * @throws CustosError `OMOP_STORE_QUERY_FAILED` (the cause attached, the parameters never
   *   quoted), `OMOP_STORE_UNAVAILABLE` when the connection is lost.
   */
  run(sql: string, params?: readonly SqlValue[]): Promise<readonly SqlRow[]>;
}

/** Options of one session. */
export interface OmopSessionOptions {
  /** Aborts the running statement and ends the session with `OMOP_STORE_QUERY_FAILED`. */
  readonly signal?: AbortSignal;
}

/**
 * A hospital's OMOP CDM v5.4 database, read-only to Custos: the port the data service and
 * `custos query run --local` run compiled statements through. Adapters: DuckDB embedded
 * (the default; loads CSV or Parquet directories) and PostgreSQL (the database OMOP sites
 * run).
 */
export interface OmopStore {
  /** The dialect compiled statements must use. */
  readonly dialect: SqlDialect;
  /** Facts about the data: engine, CDM and vocabulary versions, snapshot date, tables. */
  info(): Promise<OmopStoreInfo>;
  /**
   * Runs `work` on one connection of its own and releases it afterwards, also on failure.
   */
  withSession<T>(
    work: (session: OmopSession) => Promise<T>,
    options?: OmopSessionOptions,
  ): Promise<T>;
  /** Closes the database or pool; later calls fail with `OMOP_STORE_UNAVAILABLE`. */
  close(): Promise<void>;
}
