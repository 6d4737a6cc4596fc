import { CustosError, type ErrorDetails } from "../errors/index.ts";
import type { SqlDialect } from "./OmopStore.ts";

/**
 * The `OMOP_STORE_QUERY_FAILED` error of an engine. The engine's own message stays in `cause`
 * only: it can quote a row's value or a bound parameter (a person id), and neither may reach
 * a message or details that leave the hospital.
 *
 * @example
 * ```ts
 * throw omopQueryFailed("duckdb", "the statement was cancelled", { cancelled: true });
 * ```
 */
export function omopQueryFailed(
  engine: SqlDialect,
  shortMessage: string,
  details: ErrorDetails = {},
  cause?: unknown,
): CustosError {
  return new CustosError("OMOP_STORE_QUERY_FAILED", shortMessage, {
    details: { engine, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}
