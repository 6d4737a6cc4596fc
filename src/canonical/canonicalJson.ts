import { CustosError } from "../errors/index.ts";

/** A JSON value as RFC 8785 understands it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

function fail(path: string, reason: string): never {
  throw new CustosError("INVALID_ARGUMENT", `cannot canonicalise ${path}: ${reason}`, {
    details: { path, reason },
  });
}

function write(value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(path, "number is not finite");
    // ECMAScript's Number-to-string is exactly RFC 8785's number serialisation.
    out.push(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item: unknown, i: number) => {
      if (i > 0) out.push(",");
      write(item, `${path}[${i}]`, out);
    });
    out.push("]");
    return;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) fail(path, "not a plain object");
    // RFC 8785 orders members by the UTF-16 code units of their names: the default sort.
    const keys = Object.keys(value).sort();
    out.push("{");
    keys.forEach((key, i) => {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) fail(`${path}.${key}`, "undefined is not JSON");
      if (i > 0) out.push(",");
      out.push(JSON.stringify(key), ":");
      write(member, `${path}.${key}`, out);
    });
    out.push("}");
    return;
  }
  fail(path, `${typeof value} is not JSON`);
}

/**
 * Serialises a JSON value in the JSON Canonicalization Scheme (RFC 8785): members sorted by
 * UTF-16 code units, no whitespace, ECMAScript number and string serialisation. Equal
 * documents give byte-identical output, so their hash can be anchored on chain.
 *
 * @throws CustosError `INVALID_ARGUMENT` for values that are not JSON (undefined, functions,
 * bigint, non-finite numbers, class instances), naming the path.
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, "x"] }); // '{"a":[true,"x"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, "$", out);
  return out.join("");
}
