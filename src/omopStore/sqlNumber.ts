import type { SqlDialect } from "./OmopStore.ts";
import { omopQueryFailed } from "./omopQueryFailed.ts";

const INTEGER = /^[+-]?\d+$/;

/**
 * A result value that an engine hands over exactly (a 64- or 128-bit integer, a decimal's
 * digits) as the JavaScript number of the port's `SqlRow`: a decimal becomes the nearest
 * number, as parsing its digits gives in both adapters; an integer must be safe, since a
 * rounded count or id would be wrong without a sign of it.
 *
 * @throws CustosError `OMOP_STORE_QUERY_FAILED` naming the column when an integer is beyond
 *   2^53 − 1.
 * @example
 * ```ts
 * sqlNumber(42n, "n", "duckdb"); // 42
 * sqlNumber("49.1000", "total", "postgres"); // 49.1
 * ```
 */
export function sqlNumber(value: bigint | string, column: string, engine: SqlDialect): number {
  const number = Number(value);
  if ((typeof value === "bigint" || INTEGER.test(value)) && !Number.isSafeInteger(number)) {
    throw omopQueryFailed(
      engine,
      `column ${column} holds an integer beyond 2^53 - 1; cast it to text in the statement`,
      { column },
    );
  }
  return number;
}
