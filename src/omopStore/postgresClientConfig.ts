import pg from "pg";

/**
 * How to reach a PostgreSQL server: a connection string, or its parts. Anything left out
 * falls back as in libpq (`PGHOST`, `PGUSER`, `PGPASSWORD`, `~/.pgpass`, …), so a password
 * need not be written into a config file.
 */
export interface PostgresConnectionOptions {
  /** `postgresql://user@host:5432/database?sslmode=verify-full`; or give the parts below. */
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** TLS, verifying the server's certificate against the system's CAs. */
  readonly ssl?: boolean;
  /** Give up connecting after this long (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

/** Defaults of {@link PostgresConnectionOptions}. */
export const defaultPostgresConnectionOptions = { connectTimeoutMs: 5000 } as const;

/** Where a connection goes, for error details: never the password. */
export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

// Every value arrives as PostgreSQL's text and the adapter normalises it by type, so that no
// process-wide pg parser is touched and no date passes through a JavaScript Date.
const textValues = {
  getTypeParser: () => (value: string) => value,
} as unknown as pg.CustomTypesConfig;

/**
 * The node-postgres settings of a connection: values left as text, and session settings that
 * make that text one fixed form whatever the server's defaults (ISO dates, UTC, floats printed
 * exactly), with `search_path` set to the CDM schema so statements name tables unqualified.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool(postgresClientConfig({ host: "db", database: "omop" }, "cdm"));
 * ```
 */
export function postgresClientConfig(
  options: PostgresConnectionOptions,
  schema?: string,
): pg.ClientConfig {
  const settings = [
    "DateStyle=ISO,YMD",
    "IntervalStyle=postgres",
    "TimeZone=UTC",
    "extra_float_digits=3",
    ...(schema === undefined ? [] : [`search_path="${schema}"`]),
  ];
  return {
    ...(options.connectionString === undefined
      ? {}
      : { connectionString: options.connectionString }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    connectionTimeoutMillis:
      options.connectTimeoutMs ?? defaultPostgresConnectionOptions.connectTimeoutMs,
    keepAlive: true,
    application_name: "custos",
    options: settings.map((setting) => `-c ${setting}`).join(" "),
    types: textValues,
  };
}

/**
 * The host, port, database and user a connection goes to, resolved as node-postgres resolves
 * them (connection string, parts, environment), for messages and error details.
 *
 * @example
 * ```ts
 * postgresTarget({ connectionString: "postgresql://ro:secret@db:5433/omop" });
 * // { host: "db", port: 5433, database: "omop", user: "ro" }
 * ```
 */
export function postgresTarget(options: PostgresConnectionOptions): PostgresTarget {
  const client = new pg.Client(postgresClientConfig(options));
  return {
    host: client.host,
    port: client.port,
    database: client.database ?? "",
    user: client.user ?? "",
  };
}
