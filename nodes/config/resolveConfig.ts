import { isAbsolute, resolve } from "node:path";
import Value from "typebox/value";
import { CustosError } from "../../src/errors/index.ts";
import { schemaProblems } from "../../src/runtime/index.ts";
import type { ConfigOverride } from "./ConfigOverride.ts";
import { deepFreeze } from "./deepFreeze.ts";
import { configPathFields, type NodeConfig, nodeConfigSchema } from "./nodeConfigSchema.ts";

/** Inputs of {@link resolveConfig} besides the document. */
export interface ResolveConfigOptions {
  /** Command-line overrides, applied over the document before validation. */
  readonly overrides?: readonly ConfigOverride[];
  /** Directory relative paths in the document are resolved against (the config file's). */
  readonly baseDir: string;
  /** Directory relative paths from overrides are resolved against (the working directory). */
  readonly cwd: string;
}

/** One field that failed validation. */
export interface ConfigProblem {
  /** Dotted field path, e.g. `rpc.port` or `rpc.cors[1]`. */
  readonly field: string;
  /** Why, e.g. `must be an integer 1..65535`. */
  readonly reason: string;
}

// Hex private keys (with or without 0x) must never sit in a config file.
const KEY_LIKE = /^(0x)?[0-9a-fA-F]{64}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isPlainObject(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split(".")) node = isPlainObject(node) ? node[part] : undefined;
  return node;
}

function invalid(
  problems: readonly ConfigProblem[],
  sources: ReadonlyMap<string, string>,
): CustosError {
  const described = problems.map((p) => {
    const source = sources.get(p.field);
    return `${p.field}: ${p.reason}${source === undefined ? "" : ` (from ${source})`}`;
  });
  const first = problems[0] as ConfigProblem;
  return new CustosError("CONFIG_INVALID", described.join("; "), {
    details: { field: first.field, reason: first.reason, problems },
  });
}

/**
 * Turns a parsed config document into the node's configuration: applies command-line
 * overrides, fills defaults, validates against {@link nodeConfigSchema} (unknown fields
 * rejected), checks cross-field rules, resolves relative paths (document paths against
 * `baseDir`, override paths against `cwd`) and deep-freezes the result. Pure: no file access.
 *
 * @throws CustosError `CONFIG_INVALID` naming every failing field and its reason, e.g.
 *   "rpc.port: must be an integer 1..65535"; `details.problems` lists them.
 * @example
 * ```ts
 * const config = resolveConfig({ dataDir: "data" }, { baseDir: "/etc/custos", cwd: process.cwd() });
 * config.dataDir; // "/etc/custos/data"
 * ```
 */
export function resolveConfig(document: unknown, options: ResolveConfigOptions): NodeConfig {
  if (!isPlainObject(document)) {
    throw new CustosError("CONFIG_INVALID", "config: must be a JSON object", {
      details: { field: "", reason: "must be a JSON object", problems: [] },
    });
  }
  const value = structuredClone(document);
  const sources = new Map<string, string>();
  for (const override of options.overrides ?? []) {
    setPath(value, override.path, override.value);
    sources.set(override.path, override.source);
  }
  const withDefaults = Value.Default(nodeConfigSchema, value);
  const problems: ConfigProblem[] = schemaProblems(nodeConfigSchema, withDefaults);
  if (problems.length > 0) throw invalid(problems, sources);
  const config = withDefaults as NodeConfig;

  const crossField: ConfigProblem[] = [];
  if (!config.dev && config.dataDir === undefined) {
    crossField.push({ field: "dataDir", reason: "required unless dev is true" });
  }
  if (!config.dev && config.chain.genesisFile === undefined) {
    crossField.push({ field: "chain.genesisFile", reason: "required unless dev is true" });
  }
  if (config.validator !== undefined && KEY_LIKE.test(config.validator.keyFile)) {
    crossField.push({
      field: "validator.keyFile",
      reason: "must be the path of a key file, not the key itself",
    });
  }
  if (config.portal?.relayerKeyFile !== undefined && KEY_LIKE.test(config.portal.relayerKeyFile)) {
    crossField.push({
      field: "portal.relayerKeyFile",
      reason: "must be the path of a key file, not the key itself",
    });
  }
  if (config.observer && config.validator !== undefined) {
    crossField.push({ field: "observer", reason: "an observer has no validator key" });
  }
  if (config.observer && !config.p2p.enabled) {
    crossField.push({ field: "observer", reason: "an observer needs p2p.enabled" });
  }
  if (config.p2p.enabled && config.dev) {
    crossField.push({ field: "p2p.enabled", reason: "a dev chain is a single node" });
  }
  if (config.p2p.enabled && config.validator === undefined && config.p2p.keyFile === undefined) {
    crossField.push({ field: "p2p.keyFile", reason: "required for p2p without a validator key" });
  }
  if (config.p2p.keyFile !== undefined && KEY_LIKE.test(config.p2p.keyFile)) {
    crossField.push({
      field: "p2p.keyFile",
      reason: "must be the path of a key file, not the key itself",
    });
  }
  if (crossField.length > 0) throw invalid(crossField, sources);

  for (const field of configPathFields) {
    const raw = getPath(config, field);
    if (typeof raw !== "string" || isAbsolute(raw)) continue;
    setPath(config, field, resolve(sources.has(field) ? options.cwd : options.baseDir, raw));
  }
  return deepFreeze(config);
}
