import type { Hex } from "../ledger/index.ts";
import type { AuditEntry } from "./AuditEntry.ts";

/** A consent record: a subject's pseudonym at its custodian hospital. */
export interface SubjectRef {
  readonly custodian: number;
  readonly subject: Hex;
}

/** A kind of consent change counted per custodian and day. */
export type ConsentChange = "grant" | "update" | "revocation";

/** What an entry is filed under besides its own position on chain. */
export interface AuditEntryRefs {
  /** The query whose trail it belongs to (decimal), or null. */
  readonly queryId: string | null;
  /** The consent records it concerns: one, or both ends of a transfer. */
  readonly subjects: readonly SubjectRef[];
  /** The ε budget it changes (a limit set, or a result's charge), or null. */
  readonly budget: { readonly researcherOrg: number; readonly hospitalId: number } | null;
  /** The consent change it counts in the custodian's daily series, or null. */
  readonly consentChange: { readonly custodian: number; readonly change: ConsentChange } | null;
  /** Whether it is a governance entry. */
  readonly governance: boolean;
}

const none: AuditEntryRefs = {
  queryId: null,
  subjects: [],
  budget: null,
  consentChange: null,
  governance: false,
};

/**
 * The keys an entry is filed under in an audit index: its query, its consent records, its
 * ε budget, its place in the daily consent counts, governance. One function decides this, so
 * every index files an entry alike. A transfer is filed under both records; its revocation
 * and grant (separate events) count as a revocation at the old custodian and a grant at the
 * new one.
 *
 * @example
 * ```ts
 * auditEntryRefs(entry).subjects; // [{ custodian: 1, subject: "0x…" }] for a ConsentGranted
 * ```
 */
export function auditEntryRefs(entry: AuditEntry): AuditEntryRefs {
  switch (entry.event) {
    case "QuerySubmitted":
    case "QueryApproved":
    case "QueryDeclined":
    case "QueryClosed":
      return { ...none, queryId: entry.fields.queryId };
    case "ResultRecorded":
      return {
        ...none,
        queryId: entry.fields.queryId,
        budget: { researcherOrg: entry.fields.researcherOrg, hospitalId: entry.fields.hospitalId },
      };
    case "BudgetLimitSet":
      return {
        ...none,
        budget: { researcherOrg: entry.fields.researcherOrg, hospitalId: entry.fields.hospitalId },
      };
    case "ConsentGranted":
    case "ConsentUpdated":
    case "ConsentRevoked": {
      const { custodian, subject } = entry.fields;
      const change: ConsentChange =
        entry.event === "ConsentGranted"
          ? "grant"
          : entry.event === "ConsentUpdated"
            ? "update"
            : "revocation";
      return { ...none, subjects: [{ custodian, subject }], consentChange: { custodian, change } };
    }
    case "PatientKeyChanged":
    case "DelegateAdded":
    case "DelegateRemoved":
    case "SignaturesInvalidated":
      return {
        ...none,
        subjects: [{ custodian: entry.fields.custodian, subject: entry.fields.subject }],
      };
    case "SubjectTransferred":
    case "SubjectTransferSkipped":
      return {
        ...none,
        subjects: [
          { custodian: entry.fields.fromCustodian, subject: entry.fields.fromSubject },
          { custodian: entry.fields.toCustodian, subject: entry.fields.toSubject },
        ],
      };
    default:
      return { ...none, governance: entry.area === "governance" };
  }
}
