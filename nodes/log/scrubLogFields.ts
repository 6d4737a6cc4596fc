import { REDACTED } from "./secretRedactPaths.ts";

/**
 * Field names that may carry patient identifiers or pseudonyms. A field is dropped when its
 * name, lower-cased, starts with one of these prefixes (`subject`, `subjectId`, `pseudonym`,
 * `pseudonymKey`, `identifier`, `patient`, `patientId`, ...) or equals one of the exact names.
 */
export const patientFieldPrefixes: readonly string[] = [
  "patient",
  "subject",
  "pseudonym",
  "identifier",
];

/** Exact field names (lower-case) of common direct identifiers, dropped like the prefixes. */
export const patientFieldNames: readonly string[] = [
  "mrn",
  "nhsnumber",
  "ssn",
  "birthdate",
  "dateofbirth",
];

/** Field names (lower-case) whose values are secrets, redacted at any depth. */
export const secretFieldNames: readonly string[] = [
  "key",
  "privatekey",
  "masterkey",
  "password",
  "passphrase",
  "secret",
  "token",
  "authorization",
  "cookie",
  "mnemonic",
];

const secretNames = new Set(secretFieldNames);
const patientNames = new Set(patientFieldNames);

function isPatientField(name: string): boolean {
  const lower = name.toLowerCase();
  return patientNames.has(lower) || patientFieldPrefixes.some((p) => lower.startsWith(p));
}

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function scrub(value: unknown, depth: number, dropped: { count: number }): unknown {
  if (depth > 8) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = scrub(item, depth + 1, dropped);
      if (next !== item) {
        copy ??= [...value];
        copy[i] = next;
      }
    });
    return copy ?? value;
  }
  if (!isPlain(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [name, child] of Object.entries(value)) {
    if (isPatientField(name)) {
      copy ??= { ...value };
      delete copy[name];
      dropped.count++;
      continue;
    }
    const next = secretNames.has(name.toLowerCase()) ? REDACTED : scrub(child, depth + 1, dropped);
    if (next !== child) {
      copy ??= { ...value };
      copy[name] = next;
    }
  }
  return copy ?? value;
}

/**
 * The logging guard: returns a copy of a log record's fields with patient-identifying fields
 * removed (see {@link patientFieldPrefixes}) and secret fields redacted, at any depth of plain
 * objects and arrays. The caller's objects are never mutated; untouched records are returned
 * as is. Class instances (errors, buffers) are left alone: errors carry codes and details,
 * which by convention never hold identifiers. When fields were dropped, the record gains
 * `droppedFields` (a count, never the names' values).
 *
 * @example
 * ```ts
 * scrubLogFields({ msg: "consent granted", subject: "P123", tx: { privateKey: "0x.." } });
 * // { msg: "consent granted", tx: { privateKey: "[redacted]" }, droppedFields: 1 }
 * ```
 */
export function scrubLogFields(record: Record<string, unknown>): Record<string, unknown> {
  const dropped = { count: 0 };
  const result = scrub(record, 0, dropped) as Record<string, unknown>;
  return dropped.count === 0 ? result : { ...result, droppedFields: dropped.count };
}
