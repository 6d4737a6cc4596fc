import { CustosError } from "../errors/index.ts";
import { type OmopCdmTable, omopColumns } from "./omopCdmTables.ts";

/**
 * Checks the column names a file brings for a table, before any row is read, and returns them
 * lower-cased in the file's order. Columns may come in any order and case; an optional column
 * may be left out (it loads as NULL), a required one may not, and a name that is not a column
 * of the table (a misspelling, a v5.3 column) is refused rather than dropped silently.
 *
 * @throws CustosError `OMOP_STORE_INVALID_DATA` naming the table, the file and the column.
 * @example
 * ```ts
 * checkOmopColumns("death", ["PERSON_ID", "death_date"], "DEATH.csv"); // ["person_id", "death_date"]
 * ```
 */
export function checkOmopColumns(
  table: OmopCdmTable,
  names: readonly string[],
  file: string,
): string[] {
  const known = new Map(omopColumns(table).map((column) => [column.name, column]));
  const columns = names.map((name) => name.trim().toLowerCase());
  const fail = (column: string, reason: string) =>
    new CustosError("OMOP_STORE_INVALID_DATA", `${file}: column ${column} ${reason}`, {
      details: { table, file, column, reason },
    });
  const seen = new Set<string>();
  for (const column of columns) {
    if (!known.has(column)) throw fail(column, `is not a column of OMOP CDM v5.4 ${table}`);
    if (seen.has(column)) throw fail(column, "appears twice");
    seen.add(column);
  }
  for (const column of known.values()) {
    if (column.notNull && !seen.has(column.name)) throw fail(column.name, "is required but absent");
  }
  return columns;
}
