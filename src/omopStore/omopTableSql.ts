import type { SqlDialect } from "./OmopStore.ts";
import { type OmopCdmTable, type OmopColumnType, omopColumns } from "./omopCdmTables.ts";
import { quoteSqlIdentifier } from "./quoteSqlIdentifier.ts";

// DuckDB has no unbounded decimal. 18 digits, 6 after the point, hold clinical values
// exactly (up to 10^12) in a 64-bit integer, so sums match PostgreSQL's `numeric` digit for
// digit; DECIMAL(38,10) would take 128 bits and load ten times slower (decision 012).
const duckDbTypes = {
  bigint: "BIGINT",
  integer: "INTEGER",
  numeric: "DECIMAL(18,6)",
  date: "DATE",
  timestamp: "TIMESTAMP",
  text: "VARCHAR",
} as const satisfies Record<OmopColumnType, string>;

const postgresTypes = {
  bigint: "bigint",
  integer: "integer",
  numeric: "numeric",
  date: "date",
  timestamp: "timestamp",
  text: "text",
} as const satisfies Record<OmopColumnType, string>;

/**
 * The engine's SQL type of an OMOP column type.
 *
 * @example
 * ```ts
 * omopSqlType("numeric", "duckdb"); // "DECIMAL(18,6)"
 * ```
 */
export function omopSqlType(type: OmopColumnType, dialect: SqlDialect): string {
  return (dialect === "duckdb" ? duckDbTypes : postgresTypes)[type];
}

/**
 * `CREATE TABLE` for an OMOP CDM v5.4 table in an engine's dialect, with OMOP's NOT NULL
 * constraints (so a file missing a required value is refused at load) and no keys (loading
 * is faster without them, and the store only reads).
 *
 * @example
 * ```ts
 * omopTableSql("death", "postgres", "cdm");
 * // CREATE TABLE "cdm"."death" ("person_id" bigint NOT NULL, "death_date" date NOT NULL, …)
 * ```
 */
export function omopTableSql(table: OmopCdmTable, dialect: SqlDialect, schema?: string): string {
  const name =
    schema === undefined
      ? quoteSqlIdentifier(table)
      : `${quoteSqlIdentifier(schema)}.${quoteSqlIdentifier(table)}`;
  const columns = omopColumns(table).map(
    (column) =>
      `${quoteSqlIdentifier(column.name)} ${omopSqlType(column.type, dialect)}${column.notNull ? " NOT NULL" : ""}`,
  );
  return `CREATE TABLE ${name} (${columns.join(", ")})`;
}
