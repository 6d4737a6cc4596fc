import { isAbsolute, resolve } from "node:path";
import Type, { type Static } from "typebox";
import Value from "typebox/value";
import { CustosError } from "../errors/index.ts";
import { type SchemaProblem, schemaProblems } from "../runtime/index.ts";
import {
  defaultPostgresOmopStoreOptions,
  POSTGRES_SCHEMA_PATTERN,
  type PostgresOmopStoreOptions,
} from "./createPostgresOmopStore.ts";
import { defaultPostgresConnectionOptions } from "./postgresClientConfig.ts";

// Each leaf carries `x-reason`, the one phrase a validation error shows for it
// ("omop.port: must be an integer 1..65535"), as the node's config schema does.

function text(description: string, reason = "must be a non-empty string") {
  return Type.String({ minLength: 1, description, "x-reason": reason });
}

function integer(minimum: number, maximum: number, description: string, value?: number) {
  return Type.Integer({
    minimum,
    maximum,
    description,
    ...(value === undefined ? {} : { default: value }),
    "x-reason": `must be an integer ${minimum}..${maximum}`,
  });
}

const duckDbConfigSchema = Type.Object(
  {
    engine: Type.Literal("duckdb"),
    path: text(
      "A directory of OMOP CDM v5.4 CSV or Parquet files, loaded into memory at start, or a DuckDB database file loaded before (opened read-only). Relative to the config file.",
      "must be a non-empty path",
    ),
  },
  { additionalProperties: false, description: "Embedded DuckDB." },
);

const postgresConfigSchema = Type.Object(
  {
    engine: Type.Literal("postgres"),
    connectionString: Type.Optional(
      text("postgresql://user@host:port/database?sslmode=…; or give host, port, … instead."),
    ),
    host: Type.Optional(text("Server host name or address, or a Unix socket directory.")),
    port: Type.Optional(integer(1, 65535, "Server port (default 5432).")),
    user: Type.Optional(text("Role to log in as: a read-only one (docs/omop-store.md).")),
    password: Type.Optional(
      Type.String({
        description: "Better left out: PGPASSWORD or ~/.pgpass supply it as for libpq.",
        "x-reason": "must be a string",
      }),
    ),
    database: Type.Optional(text("Database holding the OMOP CDM.")),
    ssl: Type.Optional(
      Type.Boolean({
        description: "TLS, verifying the server certificate.",
        "x-reason": "must be true or false",
      }),
    ),
    schema: Type.String({
      pattern: POSTGRES_SCHEMA_PATTERN,
      default: defaultPostgresOmopStoreOptions.schema,
      description: "Schema of the CDM tables.",
      "x-reason": "must be a plain SQL identifier (letters, digits, _)",
    }),
    maxConnections: integer(
      1,
      64,
      "Connections kept open at most (one per concurrent session).",
      defaultPostgresOmopStoreOptions.maxConnections,
    ),
    connectTimeoutMs: integer(
      100,
      600_000,
      "Give up connecting after this many milliseconds.",
      defaultPostgresConnectionOptions.connectTimeoutMs,
    ),
  },
  { additionalProperties: false, description: "A hospital's PostgreSQL OMOP database." },
);

/**
 * The OMOP store configuration schema (TypeBox / JSON Schema): embedded DuckDB on a directory
 * or database file, or a PostgreSQL server. Unknown fields are rejected.
 */
export const omopStoreConfigSchema = Type.Union([duckDbConfigSchema, postgresConfigSchema], {
  description: "Where the hospital's OMOP CDM v5.4 data is.",
});

/** A validated OMOP store configuration, defaults filled. */
export type OmopStoreConfig = Static<typeof omopStoreConfigSchema>;

/** An OMOP store configuration as written, defaults left out. */
export type OmopStoreConfigInput =
  | { readonly engine: "duckdb"; readonly path: string }
  | ({ readonly engine: "postgres" } & PostgresOmopStoreOptions);

/** Where a configuration came from, for relative paths and field names. */
export interface ResolveOmopStoreConfigOptions {
  /** Directory a relative DuckDB `path` is resolved against (default: the working directory). */
  readonly baseDir?: string;
  /** Where the configuration sits in a larger document, e.g. `omop`: prefixes field names. */
  readonly field?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates an OMOP store configuration once: picks the engine's schema, fills defaults,
 * rejects unknown fields, checks that a PostgreSQL target is given exactly one way, resolves
 * a relative DuckDB path and deep-freezes the result.
 *
 * @throws CustosError `CONFIG_INVALID` naming every failing field and why, e.g.
 *   "omop.port: must be an integer 1..65535"; `details.field` is the first, `details.problems`
 *   all of them.
 * @example
 * ```ts
 * const config = resolveOmopStoreConfig({ engine: "postgres", host: "db", database: "omop" });
 * config.schema; // "cdm"
 * ```
 */
export function resolveOmopStoreConfig(
  document: unknown,
  options: ResolveOmopStoreConfigOptions = {},
): OmopStoreConfig {
  const named = (field: string) =>
    options.field === undefined || options.field === ""
      ? field
      : field === ""
        ? options.field
        : `${options.field}.${field}`;
  const invalid = (problems: readonly SchemaProblem[]) => {
    const listed = problems.map((problem) => ({ ...problem, field: named(problem.field) }));
    const first = listed[0] as SchemaProblem;
    return new CustosError(
      "CONFIG_INVALID",
      listed.map((problem) => `${problem.field || "config"}: ${problem.reason}`).join("; "),
      { details: { field: first.field, reason: first.reason, problems: listed } },
    );
  };
  if (!isPlainObject(document)) {
    throw invalid([{ field: "", reason: "must be an object" }]);
  }
  const engine = document.engine;
  if (engine !== "duckdb" && engine !== "postgres") {
    throw invalid([{ field: "engine", reason: 'must be "duckdb" or "postgres"' }]);
  }
  const schema = engine === "duckdb" ? duckDbConfigSchema : postgresConfigSchema;
  const value = Value.Default(schema, structuredClone(document));
  const problems = schemaProblems(schema, value);
  if (problems.length > 0) throw invalid(problems);
  const config = value as OmopStoreConfig;
  if (config.engine === "postgres") {
    if (config.connectionString !== undefined && config.host !== undefined) {
      throw invalid([{ field: "host", reason: "give connectionString or host, not both" }]);
    }
    if (config.connectionString === undefined && config.host === undefined) {
      throw invalid([{ field: "host", reason: "required unless connectionString is given" }]);
    }
  } else if (!isAbsolute(config.path)) {
    config.path = resolve(options.baseDir ?? process.cwd(), config.path);
  }
  return Object.freeze(config);
}
