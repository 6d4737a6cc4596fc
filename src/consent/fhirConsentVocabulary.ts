import { type DataCategory, dataCategories, type PurposeLabel } from "./consentCodes.ts";

/**
 * Code systems and identifiers of the FHIR R4 Consent mapping (docs/consent-model.md). The
 * Custos-defined URIs sit under https://w3id.org/custos/, a permanent-identifier namespace.
 */
export const fhirSystems = {
  /** FHIR R4 consent scope codes; Custos accepts only `research`. */
  consentScope: "http://terminology.hl7.org/CodeSystem/consentscope",
  /** FHIR R4 consent category codes (`research`). */
  consentCategory: "http://terminology.hl7.org/CodeSystem/consentcategorycodes",
  /** LOINC; 59284-0 "Patient Consent" is the category Custos writes. */
  loinc: "http://loinc.org",
  /** FHIR R4 consent actions. */
  consentAction: "http://terminology.hl7.org/CodeSystem/consentaction",
  /** HL7 v3 ActCode: policy rules (OPTIN). */
  v3ActCode: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
  /** HL7 v3 ActReason: purposes of use (HRESCH, CLINTRCH, TREAT). */
  v3ActReason: "http://terminology.hl7.org/CodeSystem/v3-ActReason",
  /** HL7 v3 ParticipationType: actor roles (IRCP, PRCP). */
  v3ParticipationType: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
  /** GA4GH Data Use Ontology; codes are CURIEs ("DUO:0000006"). */
  duo: "http://purl.obolibrary.org/obo/duo",
  /** FHIR resource types, as `provision.class`. */
  resourceTypes: "http://hl7.org/fhir/resource-types",
  /** Custos data categories (codes are the category names, e.g. "CONDITIONS"). */
  dataCategory: "https://w3id.org/custos/fhir/CodeSystem/data-category",
  /** OMOP CDM v5.4 table names, upper case (e.g. "CONDITION_OCCURRENCE"). */
  omopTable: "https://w3id.org/custos/fhir/CodeSystem/omop-cdm-table",
  /** Identifier system of a subject pseudonym (bytes32 hex) in `Consent.patient`. */
  subjectPseudonym: "https://w3id.org/custos/fhir/NamingSystem/subject-pseudonym",
  /** Identifier system of a delegate's Ethereum address in `Consent.performer`. */
  ethereumAddress: "https://w3id.org/custos/fhir/NamingSystem/ethereum-address",
  /** Extension on `Consent.provision` naming a disease of a DS permission (valueCoding). */
  duoDiseaseExtension: "https://w3id.org/custos/fhir/StructureDefinition/duo-disease",
} as const;

/**
 * HL7 v3 purposes of use with an exact DUO counterpart. HRESCH ("healthcare research") and
 * its specialisation CLINTRCH ("clinical trial research") are health/medical/biomedical
 * research (HMB); TREAT is clinical care (CC). Other v3 purposes (e.g. ETREAT, HPAYMT,
 * PUBHLTH) have none and are refused.
 */
export const v3PurposeToDuo: Readonly<Record<string, PurposeLabel>> = {
  HRESCH: "HMB",
  CLINTRCH: "HMB",
  TREAT: "CC",
};

/**
 * FHIR resource types as data categories. A type names every category its data lands in when
 * converted to OMOP: an Observation becomes MEASUREMENT or OBSERVATION rows depending on its
 * code, so it names both.
 */
export const resourceTypeCategories: Readonly<Record<string, readonly DataCategory[]>> = {
  Patient: ["DEMOGRAPHICS"],
  Encounter: ["VISITS"],
  EpisodeOfCare: ["VISITS"],
  Condition: ["CONDITIONS"],
  MedicationRequest: ["DRUGS"],
  MedicationAdministration: ["DRUGS"],
  MedicationDispense: ["DRUGS"],
  MedicationStatement: ["DRUGS"],
  Immunization: ["DRUGS"],
  Observation: ["MEASUREMENTS", "OBSERVATIONS"],
  Procedure: ["PROCEDURES"],
  Device: ["DEVICES"],
  DeviceUseStatement: ["DEVICES"],
  DocumentReference: ["NOTES"],
  Specimen: ["SPECIMENS"],
  MolecularSequence: ["GENOMICS"],
  ImagingStudy: ["IMAGING"],
  Claim: ["COSTS"],
  ExplanationOfBenefit: ["COSTS"],
  Coverage: ["COSTS"],
};

/** OMOP CDM table → its data category (from `dataCategories`). */
export const omopTableCategory: Readonly<Record<string, DataCategory>> = Object.fromEntries(
  (Object.keys(dataCategories) as DataCategory[]).flatMap((c) =>
    dataCategories[c].tables.map((t) => [t, c]),
  ),
);
