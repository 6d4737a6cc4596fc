import type { ConsentRecord } from "./ConsentRecord.ts";
import { purposeCodes } from "./consentCodes.ts";
import { fhirSystems } from "./fhirConsentVocabulary.ts";
import { unixToFhirDateTime } from "./fhirDateTime.ts";

/** A FHIR R4 Consent resource as `consentToFhir` writes it (plain JSON). */
export interface FhirConsent {
  readonly resourceType: "Consent";
  readonly [element: string]: unknown;
}

const coding = (system: string, code: string) => ({ system, code });

/**
 * Writes a consent record as a FHIR R4 research Consent that `consentFromFhir` reads back to
 * the same record (apart from `documentHash`, which is the hash of the new document). The
 * patient is the subject pseudonym as an identifier — never a raw reference; purposes are DUO
 * terms, categories Custos data-category codes, grantees IRCP actors, delegates performers
 * identified by Ethereum address, DS diseases `duo-disease` extensions.
 *
 * @example
 * ```ts
 * const document = consentToFhir(record);
 * canonicalHash(document); // the documentHash to anchor for this document
 * ```
 */
export function consentToFhir(record: ConsentRecord): FhirConsent {
  const period = {
    ...(record.validFrom === undefined ? {} : { start: unixToFhirDateTime(record.validFrom) }),
    ...(record.validUntil === undefined ? {} : { end: unixToFhirDateTime(record.validUntil) }),
  };
  const provision = {
    type: "permit",
    ...(Object.keys(period).length === 0 ? {} : { period }),
    ...(record.grantees.length === 0
      ? {}
      : {
          actor: record.grantees.map((reference) => ({
            role: { coding: [coding(fhirSystems.v3ParticipationType, "IRCP")] },
            reference: { reference },
          })),
        }),
    action: [{ coding: [coding(fhirSystems.consentAction, "use")] }],
    purpose: [...record.permissions, ...record.conditions].map((label) => ({
      ...coding(fhirSystems.duo, purposeCodes[label].duo),
      display: purposeCodes[label].name,
    })),
    class: record.categories.map((c) => coding(fhirSystems.dataCategory, c)),
    ...(record.diseaseCodes.length === 0
      ? {}
      : {
          extension: record.diseaseCodes.map((d) => ({
            url: fhirSystems.duoDiseaseExtension,
            valueCoding: coding(d.system, d.code),
          })),
        }),
  };
  return {
    resourceType: "Consent",
    status: record.status,
    scope: { coding: [coding(fhirSystems.consentScope, "research")] },
    category: [{ coding: [coding(fhirSystems.loinc, "59284-0")] }],
    patient: { identifier: { system: fhirSystems.subjectPseudonym, value: record.subject } },
    ...(record.recordedAt === undefined ? {} : { dateTime: unixToFhirDateTime(record.recordedAt) }),
    ...(record.delegates.length === 0
      ? {}
      : {
          performer: record.delegates.map((value) => ({
            type: "RelatedPerson",
            identifier: { system: fhirSystems.ethereumAddress, value },
          })),
        }),
    ...(record.custodians.length === 0
      ? {}
      : { organization: record.custodians.map((reference) => ({ reference })) }),
    policyRule: { coding: [coding(fhirSystems.v3ActCode, "OPTIN")] },
    provision,
  };
}
