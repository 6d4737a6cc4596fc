import type { TSchema } from "typebox";
import Value from "typebox/value";

/** One field of a document that failed its schema. */
export interface SchemaProblem {
  /** Dotted field path, e.g. `rpc.port` or `rpc.cors[1]`; empty for the document itself. */
  readonly field: string;
  /** Why: the schema leaf's `x-reason` (e.g. `must be an integer 1..65535`), else typebox's. */
  readonly reason: string;
}

interface RawError {
  readonly keyword: string;
  readonly schemaPath: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fieldOf(instancePath: string, child?: string): string {
  const parts = instancePath.split("/").slice(1);
  if (child !== undefined) parts.push(child);
  return parts
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce(
      (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
      "",
    );
}

function reasonAt(schema: TSchema, schemaPath: string): string | undefined {
  let node: unknown = schema;
  for (const part of schemaPath.replace(/^#\/?/, "").split("/")) {
    if (part !== "") node = isPlainObject(node) ? node[part] : undefined;
  }
  const reason = isPlainObject(node) ? node["x-reason"] : undefined;
  return typeof reason === "string" ? reason : undefined;
}

/**
 * The fields of `value` that fail `schema`, one problem per field: unknown fields, missing
 * required ones, and each failing leaf with the phrase its schema gives in `x-reason`. Config
 * loaders turn these into one `CONFIG_INVALID` that names every field.
 *
 * @example
 * ```ts
 * schemaProblems(Type.Object({ port: Type.Integer({ "x-reason": "must be an integer" }) }), { port: "x" });
 * // [{ field: "port", reason: "must be an integer" }]
 * ```
 */
export function schemaProblems(schema: TSchema, value: unknown): SchemaProblem[] {
  const found = new Map<string, string>();
  for (const error of Value.Errors(schema, value) as unknown as RawError[]) {
    if (error.keyword === "boolean" && error.schemaPath.endsWith("additionalProperties")) continue;
    if (error.keyword === "additionalProperties") {
      for (const name of (error.params.additionalProperties as string[] | undefined) ?? []) {
        found.set(fieldOf(error.instancePath, name), "unknown field");
      }
    } else if (error.keyword === "required") {
      for (const name of (error.params.requiredProperties as string[] | undefined) ?? []) {
        found.set(fieldOf(error.instancePath, name), "required");
      }
    } else {
      const field = fieldOf(error.instancePath);
      if (!found.has(field)) found.set(field, reasonAt(schema, error.schemaPath) ?? error.message);
    }
  }
  return [...found].map(([field, reason]) => ({ field, reason }));
}
