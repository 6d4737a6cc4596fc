import type { QueryArrayResult } from "pg";
import type { SqlRow } from "./OmopStore.ts";
import { omopQueryFailed } from "./omopQueryFailed.ts";
import { sqlColumnNames } from "./sqlColumnNames.ts";
import { sqlNumber } from "./sqlNumber.ts";

type Convert = (text: string) => number | string;

const exact =
  (column: string): Convert =>
  (text) =>
    sqlNumber(text, column, "postgres");
const float: Convert = (text) => Number(text);
const asText: Convert = (text) => text;

/**
 * How each PostgreSQL type the port carries becomes a `SqlRow` value, by type OID: integers
 * and `numeric` exactly (from their digits), floats, text, and `date` / `timestamp`, which
 * with DateStyle ISO already read `YYYY-MM-DD` / `YYYY-MM-DD HH:MM:SS[.ffffff]`.
 */
function converterFor(oid: number, column: string): Convert | undefined {
  switch (oid) {
    case 20: // int8
    case 21: // int2
    case 23: // int4
    case 26: // oid
    case 1700: // numeric
      return exact(column);
    case 700: // float4
    case 701: // float8
      return float;
    case 18: // "char"
    case 19: // name
    case 25: // text
    case 705: // unknown (an untyped literal)
    case 1042: // bpchar
    case 1043: // varchar
    case 1082: // date
    case 1114: // timestamp
      return asText;
    default:
      return undefined;
  }
}

const typeNames: Readonly<Record<number, string>> = {
  16: "boolean",
  17: "bytea",
  114: "json",
  1083: "time",
  1184: "timestamp with time zone",
  1186: "interval",
  2950: "uuid",
  3802: "jsonb",
};

/**
 * A node-postgres result (row mode `array`, values as text) as the port's rows: keys
 * lower-cased, values normalised as `SqlRow` says, alike with the DuckDB adapter's.
 *
 * @throws CustosError `OMOP_STORE_QUERY_FAILED` naming the column when its type is not one the
 *   port carries (a boolean, an interval, `timestamptz`…: the statement must cast it), when an
 *   integer is beyond 2^53 − 1, or when two columns share a name.
 */
export function postgresRows(result: QueryArrayResult<(string | null)[]>): SqlRow[] {
  const names = sqlColumnNames(
    result.fields.map((field) => field.name),
    "postgres",
  );
  const converters = result.fields.map((field, index) => {
    const name = names[index] as string;
    const convert = converterFor(field.dataTypeID, name);
    if (convert === undefined) {
      const type = typeNames[field.dataTypeID] ?? `type oid ${field.dataTypeID}`;
      throw omopQueryFailed(
        "postgres",
        `column ${name} has type ${type}, which results do not carry; cast it to a number or text`,
        { column: name, type },
      );
    }
    return convert;
  });
  return result.rows.map((values) => {
    const row: Record<string, number | string | null> = {};
    for (const [index, name] of names.entries()) {
      const value = values[index] ?? null;
      row[name] = value === null ? null : (converters[index] as Convert)(value);
    }
    return row;
  });
}
