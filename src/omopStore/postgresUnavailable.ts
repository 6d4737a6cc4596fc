import { CustosError } from "../errors/index.ts";
import type { PostgresTarget } from "./postgresClientConfig.ts";

// Connection exceptions, and the server shutting down or refusing new work.
const CONNECTION_LOST = /^(08|57P0[1-3])/;

/**
 * The SQLSTATE of a PostgreSQL error, or undefined for an error that did not come from the
 * server (a socket error, a timeout).
 *
 * @example
 * ```ts
 * postgresSqlState(error); // "42601" for a syntax error
 * ```
 */
export function postgresSqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether an error means the connection itself is gone (no SQLSTATE, class 08, or the server
 * shutting down), not that a statement failed.
 *
 * @example
 * ```ts
 * isPostgresConnectionLost(new Error("Connection terminated unexpectedly")); // true
 * ```
 */
export function isPostgresConnectionLost(error: unknown): boolean {
  const sqlState = postgresSqlState(error);
  return sqlState === undefined || CONNECTION_LOST.test(sqlState);
}

/**
 * The `OMOP_STORE_UNAVAILABLE` error for a PostgreSQL target: host, port, database and user,
 * never the password; `reason` is the socket's error code or the SQLSTATE (`ECONNREFUSED`,
 * `28P01`), never the server's text.
 *
 * @example
 * ```ts
 * throw postgresUnavailable(target, "cannot connect", error);
 * // OMOP_STORE_UNAVAILABLE: cannot connect: PostgreSQL at db:5432/omop (ECONNREFUSED)
 * ```
 */
export function postgresUnavailable(
  target: PostgresTarget,
  shortMessage: string,
  cause?: unknown,
): CustosError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason =
    typeof code === "string"
      ? code
      : cause === undefined
        ? "closed"
        : /timeout/i.test(String((cause as Error).message))
          ? "timeout"
          : "connection failed";
  return new CustosError(
    "OMOP_STORE_UNAVAILABLE",
    `${shortMessage}: PostgreSQL at ${target.host}:${target.port}/${target.database} (${reason})`,
    {
      details: { engine: "postgres", ...target, reason },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}
