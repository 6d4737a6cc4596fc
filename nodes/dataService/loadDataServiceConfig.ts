import { dirname, isAbsolute, resolve } from "node:path";
import Value from "typebox/value";
import { CustosError } from "../../src/errors/index.ts";
import { type OmopStoreConfig, resolveOmopStoreConfig } from "../../src/omopStore/index.ts";
import { schemaProblems } from "../../src/runtime/index.ts";
import { deepFreeze, readConfigDocument } from "../config/index.ts";
import { type DataServiceConfig, dataServiceConfigSchema } from "./dataServiceConfigSchema.ts";

/** A data service configuration with its OMOP store resolved and paths made absolute. */
export type ResolvedDataServiceConfig = Omit<DataServiceConfig, "omop"> & {
  readonly omop: OmopStoreConfig;
};

/**
 * Validates a data service configuration document: defaults filled, unknown fields refused,
 * relative paths resolved against `baseDir`, the OMOP store checked by its own schema, the
 * result deep-frozen. Pure.
 *
 * @throws CustosError `CONFIG_INVALID` naming every failing field (`details.problems`).
 */
export function resolveDataServiceConfig(
  document: unknown,
  baseDir: string,
): ResolvedDataServiceConfig {
  const value = Value.Default(dataServiceConfigSchema, structuredClone(document ?? {}));
  const problems = schemaProblems(dataServiceConfigSchema, value);
  if (problems.length > 0) {
    const first = problems[0] as (typeof problems)[number];
    throw new CustosError(
      "CONFIG_INVALID",
      problems.map((p) => `${p.field || "config"}: ${p.reason}`).join("; "),
      { details: { field: first.field, reason: first.reason, problems } },
    );
  }
  const config = value as DataServiceConfig;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  return deepFreeze({
    ...config,
    recorderKeyFile: absolute(config.recorderKeyFile),
    pseudonymKeyFile: absolute(config.pseudonymKeyFile),
    dataDir: absolute(config.dataDir),
    omop: resolveOmopStoreConfig(config.omop, { baseDir, field: "omop" }),
  });
}

/**
 * Reads and validates a data service configuration file (JSON); relative paths in it are
 * relative to the file.
 *
 * @throws CustosError `CONFIG_INVALID` for an unreadable file, bad JSON or a failing field.
 */
export async function loadDataServiceConfig(file: string): Promise<ResolvedDataServiceConfig> {
  const document = await readConfigDocument(resolve(file));
  return resolveDataServiceConfig(document, dirname(resolve(file)));
}
