import {
  type DuckDBResultReader,
  DuckDBTypeId,
  type DuckDBValue,
  ResultReturnType,
} from "@duckdb/node-api";
import type { SqlRow } from "./OmopStore.ts";
import { omopQueryFailed } from "./omopQueryFailed.ts";
import { sqlColumnNames } from "./sqlColumnNames.ts";
import { sqlNumber } from "./sqlNumber.ts";

type Convert = (value: Exclude<DuckDBValue, null>) => number | string;

/** How each DuckDB type the port carries becomes a `SqlRow` value; others are refused. */
function converterFor(type: DuckDBTypeId, column: string): Convert | undefined {
  switch (type) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return (value) => value as number;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return (value) => sqlNumber(value as bigint, column, "duckdb");
    // The decimal's exact digits, parsed once: the nearest number, as PostgreSQL's gives.
    case DuckDBTypeId.DECIMAL:
      return (value) => sqlNumber(String(value), column, "duckdb");
    case DuckDBTypeId.VARCHAR:
      return (value) => value as string;
    // `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS[.ffffff]`, as PostgreSQL prints them with
    // DateStyle ISO; never through a JavaScript Date and its time zone.
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
      return (value) => String(value);
    default:
      return undefined;
  }
}

/**
 * A DuckDB result as the port's rows: keys lower-cased, values normalised as `SqlRow` says.
 *
 * @throws CustosError `OMOP_STORE_QUERY_FAILED` naming the column when its type is not one the
 *   port carries (a boolean, an interval, a list…: the statement must cast it), when an
 *   integer is beyond 2^53 − 1, or when two columns share a name.
 */
export function duckDbRows(reader: DuckDBResultReader): SqlRow[] {
  // DDL and writes (the session's temporary tables) answer a status, not rows.
  if (reader.returnType !== ResultReturnType.QUERY_RESULT) return [];
  const names = sqlColumnNames(reader.columnNames(), "duckdb");
  const converters = names.map((name, index) => {
    const type = reader.columnTypeId(index);
    if (type === DuckDBTypeId.SQLNULL) return () => null;
    const convert = converterFor(type, name);
    if (convert === undefined) {
      throw omopQueryFailed(
        "duckdb",
        `column ${name} has type ${String(reader.columnType(index))}, which results do not carry; cast it to a number or text`,
        { column: name, type: String(reader.columnType(index)) },
      );
    }
    return convert;
  });
  return reader.getRows().map((values) => {
    const row: Record<string, number | string | null> = {};
    for (const [index, name] of names.entries()) {
      const value = values[index] ?? null;
      row[name] = value === null ? null : (converters[index] as Convert)(value);
    }
    return row;
  });
}
