/**
 * The hospital's OMOP CDM v5.4 data behind one port, `OmopStore`: embedded DuckDB loading a
 * directory of CSV or Parquet files (the default), or the hospital's own PostgreSQL database.
 * Both create tables with the same explicit column types and normalise result values alike,
 * so a statement gives deep-equal rows on either. See docs/omop-store.md.
 *
 * @packageDocumentation
 */
export { createDuckDbOmopStore, type DuckDbOmopStoreOptions } from "./createDuckDbOmopStore.ts";
export {
  createPostgresOmopStore,
  defaultPostgresOmopStoreOptions,
  POSTGRES_SCHEMA_PATTERN,
  type PostgresOmopStoreOptions,
} from "./createPostgresOmopStore.ts";
export {
  type LoadedOmopTable,
  type LoadOmopCsvIntoPostgresOptions,
  loadOmopCsvIntoPostgres,
} from "./loadOmopCsvIntoPostgres.ts";
export type {
  OmopSession,
  OmopSessionOptions,
  OmopStore,
  OmopStoreInfo,
  SqlDialect,
  SqlRow,
  SqlValue,
} from "./OmopStore.ts";
export {
  isOmopCdmTable,
  type OmopCdmTable,
  type OmopColumn,
  type OmopColumnSpec,
  type OmopColumnType,
  omopCdmTables,
  omopColumns,
  requiredOmopTables,
} from "./omopCdmTables.ts";
export {
  type OmopStoreConfig,
  type OmopStoreConfigInput,
  omopStoreConfigSchema,
  type ResolveOmopStoreConfigOptions,
  resolveOmopStoreConfig,
} from "./omopStoreConfigSchema.ts";
export { omopSqlType, omopTableSql } from "./omopTableSql.ts";
export { openOmopStore } from "./openOmopStore.ts";
export {
  defaultPostgresConnectionOptions,
  type PostgresConnectionOptions,
  type PostgresTarget,
} from "./postgresClientConfig.ts";
