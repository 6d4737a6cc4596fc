import { stat } from "node:fs/promises";
import { createDuckDbOmopStore } from "./createDuckDbOmopStore.ts";
import { createPostgresOmopStore } from "./createPostgresOmopStore.ts";
import type { OmopStore } from "./OmopStore.ts";
import {
  type OmopStoreConfigInput,
  type ResolveOmopStoreConfigOptions,
  resolveOmopStoreConfig,
} from "./omopStoreConfigSchema.ts";

/**
 * Opens the OMOP store a configuration names: embedded DuckDB on a directory of CSV or
 * Parquet files (loaded into memory) or on a `.duckdb` file loaded before, or a hospital's
 * PostgreSQL server. The configuration is validated first, so a document parsed from JSON
 * may be passed as it is.
 *
 * @throws CustosError `CONFIG_INVALID` naming the field; then what
 *   {@link createDuckDbOmopStore} or {@link createPostgresOmopStore} throws
 *   (`OMOP_STORE_INVALID_DATA`, `OMOP_STORE_UNAVAILABLE`).
 * @example
 * ```ts
 * const store = await openOmopStore({ engine: "duckdb", path: "data/omop-synthea27nj" });
 * (await store.info()).personCount; // 28
 * await store.close();
 * ```
 */
export async function openOmopStore(
  config: OmopStoreConfigInput,
  options?: ResolveOmopStoreConfigOptions,
): Promise<OmopStore> {
  const resolved = resolveOmopStoreConfig(config, options);
  if (resolved.engine === "duckdb") {
    const isFile = await stat(resolved.path).then(
      (found) => found.isFile(),
      () => false,
    );
    return createDuckDbOmopStore(
      isFile ? { databaseFile: resolved.path } : { directory: resolved.path },
    );
  }
  const { engine: _, ...postgres } = resolved;
  return createPostgresOmopStore(postgres);
}
