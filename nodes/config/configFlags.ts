import { type ConfigSchemaNode, nodeConfigSchema } from "./nodeConfigSchema.ts";

/** How a flag's text value is read. */
export type ConfigFlagKind = "integer" | "boolean" | "string" | "list";

/** A command-line flag that overrides one config field. */
export interface ConfigFlag {
  /** The flag, e.g. `--rpc-port`. */
  readonly flag: string;
  /** The dotted field path it sets, e.g. `rpc.port`. */
  readonly path: string;
  /** How its value is read. */
  readonly kind: ConfigFlagKind;
  /** The field's description from the schema. */
  readonly description: string;
  /** The field's default, if it has one. */
  readonly default?: unknown;
}

function kebab(segment: string): string {
  return segment.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function kindOf(node: ConfigSchemaNode): ConfigFlagKind {
  if (node.type === "integer") return "integer";
  if (node.type === "boolean") return "boolean";
  if (node.type === "array") return "list";
  return "string";
}

function collect(node: ConfigSchemaNode, prefix: readonly string[], out: ConfigFlag[]): void {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const segments = [...prefix, name];
    if (child.properties !== undefined) {
      collect(child, segments, out);
      continue;
    }
    out.push({
      flag: `--${segments.map(kebab).join("-")}`,
      path: segments.join("."),
      kind: kindOf(child),
      description: child.description ?? "",
      ...(child.default === undefined ? {} : { default: child.default }),
    });
  }
}

/**
 * Every config field's command-line flag, derived from the schema so no field lacks one:
 * the dotted path in kebab case (`rpc.getLogs.maxBlockRange` → `--rpc-get-logs-max-block-range`,
 * `dataDir` → `--data-dir`).
 *
 * @example
 * ```ts
 * configFlags().find((f) => f.flag === "--rpc-port")?.path; // "rpc.port"
 * ```
 */
export function configFlags(): readonly ConfigFlag[] {
  const out: ConfigFlag[] = [];
  collect(nodeConfigSchema as ConfigSchemaNode, [], out);
  return out;
}
