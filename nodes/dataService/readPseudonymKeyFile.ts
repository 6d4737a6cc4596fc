import { readFile } from "node:fs/promises";
import Type from "typebox";
import Value from "typebox/value";
import { CustosError } from "../../src/errors/index.ts";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
  identifierKinds,
  type Pseudonymiser,
} from "../../src/pseudonym/index.ts";
import { schemaProblems } from "../../src/runtime/index.ts";

const keyFileSchema = Type.Object({
  masterKey: Type.String({
    pattern: "^(0x)?[0-9a-fA-F]{64,}$",
    "x-reason": "must be hex key material",
  }),
  keyVersion: Type.Integer({ minimum: 1, "x-reason": "must be a positive integer" }),
  projectId: Type.String({ minLength: 1, "x-reason": "must be a project id" }),
  identifierKind: Type.String({
    enum: Object.keys(identifierKinds),
    "x-reason": `must be one of ${Object.keys(identifierKinds).join(", ")}`,
  }),
  identifier: Type.String({
    enum: ["person_source_value", "person_id"],
    "x-reason": "must be person_source_value or person_id",
  }),
});

/** The pseudonymiser of a hospital and the PERSON column it pseudonymises. */
export interface PersonPseudonymiser {
  readonly pseudonymiser: Pseudonymiser;
  readonly column: "person_source_value" | "person_id";
}

/**
 * Reads a hospital's pseudonym key file (`pseudonym-key.json`, as `custos data generate`
 * writes it): master key, version, project, identifier kind and PERSON column. Other fields
 * are ignored. The key material never appears in an error.
 *
 * @throws CustosError `CONFIG_INVALID` (field `pseudonymKeyFile…`) for an unreadable or
 *   malformed file; `PSEUDONYM_KEY_INVALID` for unusable key material.
 */
export async function readPseudonymKeyFile(file: string): Promise<PersonPseudonymiser> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new CustosError("CONFIG_INVALID", `pseudonymKeyFile: cannot read ${file} as JSON`, {
      details: { field: "pseudonymKeyFile", reason: "unreadable", file },
    });
  }
  const problems = schemaProblems(keyFileSchema, document);
  if (problems.length > 0 || !Value.Check(keyFileSchema, document)) {
    const first = problems[0];
    throw new CustosError("CONFIG_INVALID", `pseudonymKeyFile: ${first?.field}: ${first?.reason}`, {
      details: { field: `pseudonymKeyFile.${first?.field ?? ""}`, reason: first?.reason, file },
    });
  }
  const key = deriveProjectKey(
    createMasterKey(document.masterKey, { version: document.keyVersion }),
    {
      projectId: document.projectId,
    },
  );
  return {
    pseudonymiser: createPseudonymiser({
      key,
      kind: document.identifierKind as keyof typeof identifierKinds,
    }),
    column: document.identifier as PersonPseudonymiser["column"],
  };
}
