import { dirname, isAbsolute, resolve } from "node:path";
import Value from "typebox/value";
import { CustosError } from "../../../../src/errors/index.ts";
import { type SchemaProblem, schemaProblems } from "../../../../src/runtime/index.ts";
import { deepFreeze, readConfigDocument } from "../../../config/index.ts";
import {
  HOSPITAL_ID_KEY,
  type ResearcherConfig,
  researcherConfigSchema,
} from "./researcherConfigSchema.ts";

// A hex private key (with or without 0x) must never sit in a config file.
const KEY_LIKE = /^(0x)?[0-9a-fA-F]{64}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(file: string, problems: readonly SchemaProblem[]): CustosError {
  const first = problems[0] as SchemaProblem;
  return new CustosError(
    "CONFIG_INVALID",
    `${file}: ${problems.map((p) => `${p.field || "config"}: ${p.reason}`).join("; ")}`,
    { details: { file, field: first.field, reason: first.reason, problems } },
  );
}

/**
 * Validates a researcher configuration document (`researcherConfigSchema`): fills defaults,
 * rejects unknown fields and hospital keys that are not organisation ids, refuses a key
 * where a key file belongs, resolves `keyFile` and `queriesDir` against `baseDir` and
 * deep-freezes the result. Pure: no file access.
 *
 * @throws CustosError `CONFIG_INVALID` naming every failing field and why
 * (`details.problems`; `details.field` is the first, e.g. `hospitals[2].dataService`).
 * @example
 * ```ts
 * const config = resolveResearcherConfig(JSON.parse(text), "/home/ana/custos", "researcher.json");
 * ```
 */
export function resolveResearcherConfig(
  document: unknown,
  baseDir: string,
  file: string,
): ResearcherConfig {
  if (!isPlainObject(document))
    throw invalid(file, [{ field: "", reason: "must be a JSON object" }]);
  const { hospitals } = document;
  if (isPlainObject(hospitals)) {
    const bad = Object.keys(hospitals).filter((key) => !HOSPITAL_ID_KEY.test(key));
    if (bad.length > 0) {
      throw invalid(
        file,
        bad.map((key) => ({
          field: `hospitals.${key}`,
          reason: "must be a hospital organisation id (1, 2, …)",
        })),
      );
    }
  }
  const value = Value.Default(researcherConfigSchema, structuredClone(document));
  const problems = schemaProblems(researcherConfigSchema, value);
  if (problems.length > 0) throw invalid(file, problems);
  const config = value as ResearcherConfig;
  if (KEY_LIKE.test(config.keyFile)) {
    throw invalid(file, [
      { field: "keyFile", reason: "must be the path of a key file, not the key itself" },
    ]);
  }
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  return deepFreeze({
    ...config,
    keyFile: absolute(config.keyFile),
    queriesDir: absolute(config.queriesDir),
  });
}

/**
 * Reads and validates a researcher configuration file (see {@link resolveResearcherConfig});
 * relative paths in it are resolved against the file's directory.
 *
 * @throws CustosError `CONFIG_INVALID` when the file cannot be read, is not JSON, or a field
 * is invalid (`details.field`).
 * @example
 * ```ts
 * const config = await loadResearcherConfig("researcher.json", (p) => readFile(p, "utf8"));
 * ```
 */
export async function loadResearcherConfig(
  path: string,
  readText: (path: string) => Promise<string>,
): Promise<ResearcherConfig> {
  const file = resolve(path);
  const document = await readConfigDocument(file, readText);
  return resolveResearcherConfig(document, dirname(file), file);
}
