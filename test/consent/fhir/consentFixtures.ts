import { readFileSync } from "node:fs";
import { canonicalHash } from "../../../src/canonical/index.ts";
import type { FhirReference } from "../../../src/consent/index.ts";
import { createPseudonymiser } from "../../../src/pseudonym/index.ts";
import { projectA } from "../../pseudonym/keys.ts";

/** Reads a FHIR Consent fixture from test/fixtures/fhir-consent/. */
export function fixture(name: string): Record<string, unknown> {
  const url = new URL(`../../fixtures/fhir-consent/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Record<string, unknown>;
}

const pseudonymiser = createPseudonymiser({ key: projectA, kind: "opaque" });

/** The test's subject pseudonymiser: the reference, or system|value of the identifier. */
export function pseudonymiseSubject(patient: FhirReference): `0x${string}` {
  return pseudonymiser.pseudonymise(
    patient.reference ?? `${patient.identifier?.system}|${patient.identifier?.value}`,
  );
}

export { canonicalHash };
