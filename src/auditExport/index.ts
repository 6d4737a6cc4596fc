/**
 * Audit exports (`src/auditExport`): the audit model's entries as FHIR R4 AuditEvents after
 * the IHE Basic Audit Log Patterns (one per entry, or a collection Bundle), a subject's
 * disclosure as BALP PrivacyDisclosure.Source, and flat CSV and JSON Lines. Pure and
 * deterministic: no I/O, no clock, ids derived from chain locations, so an export of the same
 * entries is the same bytes. See docs/audit.md, "Exports".
 *
 * @packageDocumentation
 */
export type {
  AuditExportContext,
  AuditQueryLookup,
} from "./AuditExportContext.ts";
export { type AuditCsvOptions, auditCsv } from "./auditCsv.ts";
export { auditEventBundle } from "./auditEventBundle.ts";
export { auditEventOf } from "./auditEventOf.ts";
export { auditIdentifierSystems } from "./auditIdentifierSystems.ts";
export { auditJsonLines } from "./auditJsonLines.ts";
export {
  AUDIT_ROW_COLUMNS,
  type AuditRow,
  type AuditRowOptions,
  auditRowOf,
} from "./auditRowOf.ts";
export { auditCodes, type BalpProfile, balpProfiles } from "./balpVocabulary.ts";
export { disclosureAuditEventOf } from "./disclosureAuditEventOf.ts";
export type {
  FhirAuditEvent,
  FhirAuditEventAgent,
  FhirAuditEventBundle,
  FhirAuditEventDetail,
  FhirAuditEventEntity,
  FhirAuditEventNetwork,
  FhirAuditEventSource,
  FhirCodeableConcept,
  FhirCoding,
  FhirIdentifier,
  FhirReference,
} from "./FhirAuditEvent.ts";
