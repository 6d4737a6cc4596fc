import {
  type ConsentRecord,
  consentFromFhir,
  type FhirReference,
} from "../../../../src/consent/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
} from "../../../../src/pseudonym/index.ts";
import type { CliOption } from "../../parseCommandLine.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { consentEnv, MASTER_KEY_ENV } from "./consentEnv.ts";
import { readInput } from "./readInput.ts";

/** `--project <id>`: whose pseudonym key {@link recordFromFhir} uses. */
export const projectOption = {
  type: "string",
  value: "<id>",
  default: "default",
  description: "project whose pseudonym key is used",
} as const satisfies CliOption;

/** The patient reference as one opaque identifier: its literal reference, else system|value. */
function subjectIdentifier(patient: FhirReference): string {
  return (
    patient.reference ?? `${patient.identifier?.system ?? ""}|${patient.identifier?.value ?? ""}`
  );
}

/**
 * The consent record of the FHIR Consent in `file`, its patient pseudonymised with the
 * project key of `projectId` derived from `CUSTOS_MASTER_KEY`.
 *
 * @throws CustosError `CONFIG_INVALID` or `PSEUDONYM_KEY_INVALID` for the master key;
 *   `INVALID_ARGUMENT` for an unreadable file; `CONSENT_FHIR_INVALID` /
 *   `CONSENT_FHIR_UNSUPPORTED` from the mapping.
 * @example
 * ```ts
 * const record = await recordFromFhir(context, "consent.json", "default");
 * ```
 */
export async function recordFromFhir(
  context: ConsentContext,
  file: string,
  projectId: string,
): Promise<ConsentRecord> {
  const hex = consentEnv(
    context.env,
    MASTER_KEY_ENV,
    "the hospital's master key as hex (at least 32 bytes)",
  );
  const key = deriveProjectKey(createMasterKey(hex), { projectId });
  const pseudonymiser = createPseudonymiser({ key, kind: "opaque" });
  const text = await readInput(context, file);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new CustosError("CONSENT_FHIR_INVALID", "Consent: the file is not JSON", {
      details: { path: "Consent", reason: "the file is not JSON" },
    });
  }
  return consentFromFhir(document, {
    pseudonymiseSubject: (patient) => pseudonymiser.pseudonymise(subjectIdentifier(patient)),
  });
}
