import type { SqlDialect } from "./OmopStore.ts";
import { omopQueryFailed } from "./omopQueryFailed.ts";

/**
 * The keys of a result's rows: its column names lower-cased, as `SqlRow` promises (DuckDB
 * keeps an alias's case, PostgreSQL folds it). Two columns of one name would overwrite each
 * other in a row, so they are refused.
 *
 * @throws CustosError `OMOP_STORE_QUERY_FAILED` naming the column that appears twice.
 * @example
 * ```ts
 * sqlColumnNames(["N", "gender"], "duckdb"); // ["n", "gender"]
 * ```
 */
export function sqlColumnNames(names: readonly string[], engine: SqlDialect): string[] {
  const keys = names.map((name) => name.toLowerCase());
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) {
      throw omopQueryFailed(engine, `the result has two columns named ${key}; alias them`, {
        column: key,
      });
    }
    seen.add(key);
  }
  return keys;
}
