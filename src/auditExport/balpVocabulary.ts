import type { FhirCoding } from "./FhirAuditEvent.ts";

const BALP = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.";
const DCM = "http://dicom.nema.org/resources/ontology/DCM";
const SCT = "http://snomed.info/sct";
const V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const RESTFUL = "http://hl7.org/fhir/restful-interaction";
const ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";

/**
 * The IHE Basic Audit Log Patterns (BALP 1.1) profiles the export uses, by name: the
 * canonical URLs that go into `AuditEvent.meta.profile`.
 *
 * @example
 * ```ts
 * event.meta?.profile.includes(balpProfiles.PatientCreate);
 * ```
 */
export const balpProfiles = {
  Create: `${BALP}Create`,
  PatientCreate: `${BALP}PatientCreate`,
  Update: `${BALP}Update`,
  PatientUpdate: `${BALP}PatientUpdate`,
  Delete: `${BALP}Delete`,
  PatientDelete: `${BALP}PatientDelete`,
  Query: `${BALP}Query`,
  PrivacyDisclosureSource: `${BALP}PrivacyDisclosure.Source`,
} as const;

/** The name of a BALP profile the export uses. */
export type BalpProfile = keyof typeof balpProfiles;

const coding = (system: string, code: string, display: string): FhirCoding => ({
  system,
  code,
  display,
});

/**
 * The codes BALP fixes or binds for the patterns the export uses (with their displays as
 * BALP writes them): event types and subtypes, agent types, entity types and roles, the
 * audit source type.
 *
 * @example
 * ```ts
 * event.type.code === auditCodes.rest.code; // a RESTful pattern (Create, Update, Delete, Query)
 * ```
 */
export const auditCodes = {
  rest: coding(
    "http://terminology.hl7.org/CodeSystem/audit-event-type",
    "rest",
    "Restful Operation",
  ),
  create: coding(RESTFUL, "create", "create"),
  update: coding(RESTFUL, "update", "update"),
  delete: coding(RESTFUL, "delete", "delete"),
  searchSystem: coding(RESTFUL, "search-system", "search-system"),
  export: coding(DCM, "110106", "Export"),
  disclose: coding(
    "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle",
    "disclose",
    "Disclose Record Lifecycle Event",
  ),
  /** The initiator of a RESTful interaction; the releasing side of a disclosure. */
  sourceRole: coding(DCM, "110153", "Source Role ID"),
  /** The responder of a RESTful interaction; the receiving side of a disclosure. */
  destinationRole: coding(DCM, "110152", "Destination Role ID"),
  /** The client of a Delete. */
  application: coding(DCM, "110150", "Application"),
  /** The server of a Delete: the custodian of the record. */
  custodian: coding(
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
    "custodian",
    "Custodian",
  ),
  author: coding(V3_PARTICIPATION, "AUT", "author (originator)"),
  informationRecipient: coding(V3_PARTICIPATION, "IRCP", "information recipient"),
  /** The custodian agent of a privacy disclosure, as BALP codes it. */
  recordKeeper: coding(SCT, "159541003", "Record keeping/library clerk"),
  person: coding(ENTITY_TYPE, "1", "Person"),
  systemObject: coding(ENTITY_TYPE, "2", "System Object"),
  other: coding(ENTITY_TYPE, "4", "Other"),
  patient: coding(OBJECT_ROLE, "1", "Patient"),
  report: coding(OBJECT_ROLE, "3", "Report"),
  domainResource: coding(OBJECT_ROLE, "4", "Domain Resource"),
  query: coding(OBJECT_ROLE, "24", "Query"),
  applicationServer: coding(
    "http://terminology.hl7.org/CodeSystem/security-source-type",
    "4",
    "Application Server",
  ),
} as const;
