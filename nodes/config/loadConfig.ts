import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CustosError } from "../../src/errors/index.ts";
import type { ConfigOverride } from "./ConfigOverride.ts";
import type { NodeConfig } from "./nodeConfigSchema.ts";
import { resolveConfig } from "./resolveConfig.ts";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of a JSON config file; without one, the config comes from overrides alone. */
  readonly file?: string;
  /** Command-line overrides (see `configFlags`). */
  readonly overrides?: readonly ConfigOverride[];
  /** Working directory for relative flag paths and a relative `file`; default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Loads the node configuration: reads the JSON file (the only I/O), then
 * {@link resolveConfig} applies overrides and defaults, validates, resolves relative paths
 * against the file's directory and deep-freezes.
 *
 * @throws CustosError `CONFIG_INVALID` when the file cannot be read, is not JSON, or fails
 *   validation (the message names each field and reason).
 * @example
 * ```ts
 * const config = await loadConfig({ file: "/etc/custos/node.json", overrides });
 * config.rpc.port; // 8545 unless set
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<NodeConfig> {
  const cwd = options.cwd ?? process.cwd();
  if (options.file === undefined) {
    return resolveConfig({}, { overrides: options.overrides ?? [], baseDir: cwd, cwd });
  }
  const file = resolve(cwd, options.file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `config file cannot be read: ${file}`, {
      cause,
      details: { file, field: "", reason: "cannot be read" },
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `config file is not valid JSON: ${file}`, {
      cause,
      details: { file, field: "", reason: "not valid JSON" },
    });
  }
  return resolveConfig(document, {
    overrides: options.overrides ?? [],
    baseDir: dirname(file),
    cwd,
  });
}
