import { dirname, resolve } from "node:path";
import type { ConfigOverride } from "./ConfigOverride.ts";
import type { NodeConfig } from "./nodeConfigSchema.ts";
import { readConfigDocument } from "./readConfigDocument.ts";
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
  const document = await readConfigDocument(file);
  return resolveConfig(document, {
    overrides: options.overrides ?? [],
    baseDir: dirname(file),
    cwd,
  });
}
