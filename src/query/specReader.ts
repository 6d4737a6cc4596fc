import { CustosError } from "../errors/index.ts";

/**
 * Keys that would carry SQL or row selection. The spec language has no such field, so one
 * of them means the author expects row-level access or free SQL: that is refused by name
 * rather than reported as a mere unknown field.
 */
const FREE_SQL_KEYS = new Set([
  "sql",
  "rawsql",
  "query",
  "select",
  "where",
  "from",
  "join",
  "expression",
]);

/** A JSON object being read, with the pointer that names it in errors. */
export interface SpecObject {
  readonly pointer: string;
  readonly value: Readonly<Record<string, unknown>>;
}

/** The JSON pointer of a child (RFC 6901 escaping). */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** Throws `QUERY_SPEC_INVALID` naming the field by its JSON pointer. */
export function specError(pointer: string, reason: string): never {
  throw new CustosError("QUERY_SPEC_INVALID", `query spec ${pointer || "/"}: ${reason}`, {
    details: { field: pointer || "/", reason },
  });
}

/**
 * Reads a JSON object with exactly the allowed keys: a free-SQL key is refused with
 * `QUERY_ROW_LEVEL_REFUSED`, any other unknown key with `QUERY_SPEC_INVALID`.
 */
export function readObject(
  value: unknown,
  pointer: string,
  allowed: readonly string[],
  required: readonly string[] = [],
): SpecObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    specError(pointer, "must be an object");
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    if (FREE_SQL_KEYS.has(key.toLowerCase())) {
      throw new CustosError(
        "QUERY_ROW_LEVEL_REFUSED",
        `query spec ${childPointer(pointer, key)}: free SQL is not part of the spec language`,
        { details: { field: childPointer(pointer, key), reason: "free SQL" } },
      );
    }
    specError(childPointer(pointer, key), "unknown field");
  }
  for (const key of required) {
    if (record[key] === undefined) specError(childPointer(pointer, key), "required");
  }
  return { pointer, value: record };
}

/** An integer in [min, max]; `fallback` when absent (required when there is none). */
export function readInteger(
  object: SpecObject,
  key: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const value = object.value[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    specError(childPointer(object.pointer, key), `must be an integer ${min}..${max}`);
  }
  return value;
}

/** An integer in [min, max] or null (unbounded); absent is null. */
export function readOptionalInteger(
  object: SpecObject,
  key: string,
  min: number,
  max: number,
): number | null {
  const value = object.value[key];
  if (value === undefined || value === null) return null;
  return readInteger(object, key, min, max);
}

/** A finite number in [min, max] or null; absent is null. */
export function readOptionalNumber(
  object: SpecObject,
  key: string,
  min: number,
  max: number,
): number | null {
  const value = object.value[key];
  if (value === undefined || value === null) return null;
  return readNumber(object, key, min, max);
}

/** A finite number in [min, max] with at most 4 decimals (values compare as DECIMAL(18,4)). */
export function readNumber(object: SpecObject, key: string, min: number, max: number): number {
  const value = object.value[key];
  const pointer = childPointer(object.pointer, key);
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    specError(pointer, `must be a number ${min}..${max}`);
  }
  if (Math.abs(Math.round(value * 10_000) - value * 10_000) > 1e-6) {
    specError(pointer, "must have at most 4 decimal places");
  }
  return value;
}

/** A string of 1..maxLength characters matching `pattern` (if given). */
export function readString(
  object: SpecObject,
  key: string,
  maxLength: number,
  pattern?: RegExp,
  fallback?: string,
): string {
  const value = object.value[key];
  if (value === undefined && fallback !== undefined) return fallback;
  const pointer = childPointer(object.pointer, key);
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) {
    specError(pointer, `must be a string of 1..${maxLength} characters`);
  }
  if (pattern !== undefined && !pattern.test(value)) {
    specError(pointer, `must match ${pattern.source}`);
  }
  return value;
}

/** One of the listed strings; `fallback` when absent. */
export function readEnum<T extends string>(
  object: SpecObject,
  key: string,
  values: readonly T[],
  fallback?: T,
): T {
  const value = object.value[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    specError(childPointer(object.pointer, key), `must be one of ${values.join(", ")}`);
  }
  return value as T;
}

/** A boolean; `fallback` when absent. */
export function readBoolean(object: SpecObject, key: string, fallback: boolean): boolean {
  const value = object.value[key];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") specError(childPointer(object.pointer, key), "must be a boolean");
  return value;
}

/** An array of minItems..maxItems elements, each read by `item`. */
export function readArray<T>(
  object: SpecObject,
  key: string,
  minItems: number,
  maxItems: number,
  item: (value: unknown, pointer: string, index: number) => T,
  fallback?: readonly T[],
): T[] {
  const value = object.value[key];
  if (value === undefined && fallback !== undefined) return [...fallback];
  const pointer = childPointer(object.pointer, key);
  if (!Array.isArray(value) || value.length < minItems || value.length > maxItems) {
    specError(pointer, `must be an array of ${minItems}..${maxItems} items`);
  }
  return value.map((element, index) => item(element, childPointer(pointer, index), index));
}
