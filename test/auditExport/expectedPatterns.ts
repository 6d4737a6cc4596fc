/**
 * The BALP pattern the export must use per audit event (docs/audit.md, "Exports"), written
 * out for the tests apart from the export code.
 */
import type { AuditEventName } from "../../src/audit/index.ts";
import type { BalpName } from "./balpConformance.ts";

/** The BALP pattern each event must follow, and whether it records a failure. */
export const patterns: Record<AuditEventName, BalpName | readonly [BalpName, "failure"]> = {
  QuerySubmitted: "Create",
  QueryApproved: "Update",
  ResultRecorded: "Query",
  QueryDeclined: ["Query", "failure"],
  QueryClosed: "Update",
  BudgetLimitSet: "Update",
  RequiredApprovalsChanged: "Update",
  SiteTrailAnchored: "Update",
  ConsentGranted: "PatientCreate",
  ConsentUpdated: "PatientUpdate",
  ConsentRevoked: "PatientUpdate",
  PatientKeyChanged: "PatientUpdate",
  DelegateAdded: "PatientUpdate",
  DelegateRemoved: "PatientUpdate",
  SignaturesInvalidated: "PatientUpdate",
  SubjectTransferred: "PatientUpdate",
  SubjectTransferSkipped: ["PatientUpdate", "failure"],
  EIP712DomainChanged: "Update",
  OrganisationAdded: "Create",
  OrganisationRemoved: "Delete",
  RoleChanged: "Update",
  MetadataUpdated: "Update",
  AccountAdded: "Update",
  AccountRemoved: "Update",
  RecorderAdded: "Update",
  RecorderRemoved: "Update",
  ValidatorChanged: "Update",
  ValidatorSetScheduled: "Update",
  ProposalCreated: "Create",
  Voted: "Update",
  ProposalExecuted: "Update",
  ProposalCancelled: "Update",
  GovernanceParametersChanged: "Update",
};

/** An event's expected profile, and whether it records a failure (the profile then unclaimed). */
export function expectedPattern(event: AuditEventName): readonly [BalpName, boolean] {
  const pattern = patterns[event];
  return typeof pattern === "string" ? [pattern, false] : [pattern[0], true];
}
