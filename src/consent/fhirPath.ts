import { CustosError } from "../errors/index.ts";

/** A JSON object read from a FHIR document. */
export type FhirObject = Readonly<Record<string, unknown>>;

/** A (system, code) pair read from a Coding. */
export interface FhirCode {
  readonly system: string;
  readonly code: string;
}

/**
 * Typed failure of the FHIR mapping: `CONSENT_FHIR_INVALID` for malformed documents,
 * `CONSENT_FHIR_UNSUPPORTED` for valid ones Custos cannot represent exactly. The message and
 * details carry the element path and a reason, never patient data.
 */
export function fhirError(
  code: "CONSENT_FHIR_INVALID" | "CONSENT_FHIR_UNSUPPORTED",
  path: string,
  reason: string,
): CustosError {
  return new CustosError(code, `${path}: ${reason}`, { details: { path, reason } });
}

/**
 * Reads a JSON object at `path`. The helpers of this module are internal to the FHIR mapping
 * (not exported from src/consent/index.ts); each throws `CONSENT_FHIR_INVALID` or
 * `CONSENT_FHIR_UNSUPPORTED` naming `path`.
 *
 * @throws CustosError `CONSENT_FHIR_INVALID` if the value is not an object.
 * @example
 * ```ts
 * const provision = asObject(consent.provision, "Consent.provision");
 * ```
 */
export function asObject(value: unknown, path: string): FhirObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fhirError("CONSENT_FHIR_INVALID", path, "must be a JSON object");
  }
  return value as FhirObject;
}

/** Reads a non-empty JSON array at `path` (FHIR forbids empty arrays). */
export function asArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw fhirError("CONSENT_FHIR_INVALID", path, "must be a non-empty array");
  }
  return value;
}

/** Reads a non-empty string at `path`. */
export function asString(value: unknown, path: string): string {
  if (typeof value !== "string" || value.trim().length === 0) {
    throw fhirError("CONSENT_FHIR_INVALID", path, "must be a non-empty string");
  }
  return value;
}

/**
 * Refuses any member not in `mapped` or `ignored`. Primitive extensions (`_name`) and
 * `modifierExtension` can change meaning, so they are refused everywhere.
 */
export function checkMembers(
  object: FhirObject,
  path: string,
  mapped: readonly string[],
  ignored: readonly string[] = [],
): void {
  for (const key of Object.keys(object)) {
    if (mapped.includes(key) || ignored.includes(key)) continue;
    const reason =
      key === "modifierExtension"
        ? "modifier extensions change the meaning in ways Custos cannot represent"
        : key.startsWith("_")
          ? "primitive extensions are not supported"
          : "element is not representable in a Custos consent record";
    throw fhirError("CONSENT_FHIR_UNSUPPORTED", `${path}.${key}`, reason);
  }
}

/** Reads a Coding's system and code (display and version are human-readable only). */
export function readCoding(value: unknown, path: string): FhirCode {
  const coding = asObject(value, path);
  checkMembers(coding, path, ["system", "code"], ["id", "display", "version", "userSelected"]);
  return {
    system: asString(coding.system, `${path}.system`),
    code: asString(coding.code, `${path}.code`),
  };
}

/** Reads the codings of a CodeableConcept (its codings are translations of one concept). */
export function readConcept(value: unknown, path: string): readonly FhirCode[] {
  const concept = asObject(value, path);
  checkMembers(concept, path, ["coding"], ["id", "text"]);
  return asArray(concept.coding, `${path}.coding`).map((c, i) =>
    readCoding(c, `${path}.coding[${i}]`),
  );
}

/**
 * The code a concept takes in `system`; `undefined` if it has no coding there. Codings of
 * one system that disagree make the concept ambiguous and are refused.
 */
export function codeIn(
  codes: readonly FhirCode[],
  system: string,
  path: string,
): string | undefined {
  const found = [...new Set(codes.filter((c) => c.system === system).map((c) => c.code))];
  if (found.length > 1) {
    throw fhirError("CONSENT_FHIR_INVALID", path, `codings of ${system} disagree`);
  }
  return found[0];
}
