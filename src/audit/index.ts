/**
 * The audit model (`src/audit`): one typed, JSON-safe entry per event of the Custos
 * contracts (`projectAuditLog`), what each entry is filed under (`auditEntryRefs`), and the
 * pure reducers an audit index keeps: a query's summary, ε budgets per researcher
 * organisation and hospital, daily consent counts per custodian. Pure and deterministic:
 * no I/O, no clock; the node's index (nodes/audit) and the regulator tools build on it.
 *
 * @packageDocumentation
 */
export type {
  AccountAddedEntry,
  AccountRemovedEntry,
  AuditArea,
  AuditContract,
  AuditEntry,
  AuditEntryOf,
  AuditEventName,
  AuditLocation,
  BudgetLimitSetEntry,
  ConsentAuditEntry,
  ConsentGrantedEntry,
  ConsentRevokedEntry,
  ConsentUpdatedEntry,
  DelegateAddedEntry,
  DelegateRemovedEntry,
  EIP712DomainChangedEntry,
  GovernanceAuditEntry,
  GovernanceParametersChangedEntry,
  JsonAbiPrimitive,
  JsonAbiStruct,
  JsonAbiValue,
  MetadataUpdatedEntry,
  OrganisationAddedEntry,
  OrganisationRemovedEntry,
  PatientKeyChangedEntry,
  ProposalCancelledEntry,
  ProposalCreatedEntry,
  ProposalExecutedEntry,
  QueryApprovedEntry,
  QueryAuditEntry,
  QueryClosedEntry,
  QueryDeclinedEntry,
  QuerySubmittedEntry,
  RecorderAddedEntry,
  RecorderRemovedEntry,
  RequiredApprovalsChangedEntry,
  ResultRecordedEntry,
  RoleChangedEntry,
  SignaturesInvalidatedEntry,
  SiteTrailAnchoredEntry,
  SubjectTransferredEntry,
  SubjectTransferSkippedEntry,
  ValidatorChangedEntry,
  ValidatorSetScheduledEntry,
  VotedEntry,
} from "./AuditEntry.ts";
export { applyBudgetEntry, type EpsilonBudget } from "./applyBudgetEntry.ts";
export {
  applyConsentChange,
  type ConsentDayCounts,
  consentDayName,
  consentDayOf,
} from "./applyConsentChange.ts";
export { applyQueryEntry, foldQuerySummary, isQueryEntry } from "./applyQueryEntry.ts";
export {
  type AuditEntryRefs,
  auditEntryRefs,
  type ConsentChange,
  type SubjectRef,
} from "./auditEntryRefs.ts";
export { categoryNamesOf, purposeLabelOf, purposeLabelsOf } from "./codeLabels.ts";
export { type AuditFields, type AuditJson, jsonAbiValue } from "./decodeAuditFields.ts";
export {
  type AuditContracts,
  decodeProposalAction,
  type ProposalAction,
} from "./decodeProposalAction.ts";
export { type AuditLog, projectAuditLog } from "./projectAuditLog.ts";
export {
  type QueryApproval,
  type QueryResponseStatus,
  type QueryResponseSummary,
  type QueryStep,
  type QuerySummary,
  type QuerySummaryStatus,
  queryStatusAt,
} from "./QuerySummary.ts";
