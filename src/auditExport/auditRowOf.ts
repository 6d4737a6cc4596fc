import {
  type AuditArea,
  type AuditContract,
  type AuditEntry,
  type AuditEventName,
  auditEntryRefs,
} from "../audit/index.ts";
import type { Hex } from "../ledger/index.ts";
import type { AuditQueryLookup } from "./AuditExportContext.ts";
import { checkLocation, recordedAt } from "./auditEventParts.ts";
import { checkAuditEntry } from "./checkAuditEntry.ts";

/**
 * One audit entry as a flat record: where and when, what, who, and what it concerns. The CSV
 * export writes these as columns (in {@link AUDIT_ROW_COLUMNS} order), the JSON Lines export
 * one per line.
 */
export interface AuditRow {
  readonly blockNumber: number;
  /** The block time, ISO 8601 UTC. */
  readonly blockTime: string;
  readonly blockHash: Hex;
  readonly txHash: Hex;
  readonly txIndex: number;
  readonly logIndex: number;
  readonly contract: AuditContract;
  readonly area: AuditArea;
  readonly event: AuditEventName;
  /** The account the event names as acting. */
  readonly actor: Hex | null;
  /** The query whose trail the entry belongs to (decimal). */
  readonly queryId: string | null;
  /** The hospital the entry concerns: a result's, a decline's, a consent record's custodian, a transfer's source. */
  readonly hospital: number | null;
  /** The subject pseudonym (at `hospital`), for consent-record entries. */
  readonly subject: Hex | null;
  /** A transfer's new custodian. */
  readonly toHospital: number | null;
  /** A transfer's pseudonym at the new custodian (the same patient). */
  readonly toSubject: Hex | null;
  /**
   * DUO labels: a query's purpose (every query entry when the summaries are given, otherwise
   * the submission's), or the purposes a grant or update consents to, space-separated. A
   * bit outside the vocabulary shows as its decimal value.
   */
  readonly purpose: string | null;
  /** The event's fields as the audit model gives them. */
  readonly fields: AuditEntry["fields"];
}

/** The columns of the CSV export, in order: the keys of {@link AuditRow}. */
export const AUDIT_ROW_COLUMNS = [
  "blockNumber",
  "blockTime",
  "blockHash",
  "txHash",
  "txIndex",
  "logIndex",
  "contract",
  "area",
  "event",
  "actor",
  "queryId",
  "hospital",
  "subject",
  "toHospital",
  "toSubject",
  "purpose",
  "fields",
] as const satisfies readonly (keyof AuditRow)[];

/** Options of the flat exports. */
export interface AuditRowOptions {
  /** Query summaries, to give every query entry its purpose (not only submissions). */
  readonly querySummary?: AuditQueryLookup | undefined;
}

function purposeOf(
  entry: AuditEntry,
  queryId: string | null,
  options: AuditRowOptions,
): string | null {
  if (entry.event === "QuerySubmitted") {
    return entry.fields.purposeLabel ?? String(entry.fields.purpose);
  }
  if (entry.event === "ConsentGranted" || entry.event === "ConsentUpdated") {
    return entry.fields.purposeLabels.join(" ");
  }
  if (queryId === null) return null;
  const summary = options.querySummary?.(queryId);
  if (summary?.queryId !== queryId) return null;
  return summary.purposeLabel ?? String(summary.purpose);
}

/**
 * An audit entry as a flat {@link AuditRow}.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` for a value that is not an audit entry or
 *   a malformed location.
 * @example
 * ```ts
 * auditRowOf(entry).subject; // "0x…" for a ConsentRevoked, null for a QuerySubmitted
 * ```
 */
export function auditRowOf(entry: AuditEntry, options: AuditRowOptions = {}): AuditRow {
  checkAuditEntry(entry);
  const at = checkLocation(entry.at);
  const refs = auditEntryRefs(entry);
  const [from, to] = refs.subjects;
  const hospitalId = "hospitalId" in entry.fields ? entry.fields.hospitalId : null;
  return {
    blockNumber: at.blockNumber,
    blockTime: recordedAt(at),
    blockHash: at.blockHash,
    txHash: at.txHash,
    txIndex: at.txIndex,
    logIndex: at.logIndex,
    contract: entry.contract,
    area: entry.area,
    event: entry.event,
    actor: entry.actor,
    queryId: refs.queryId,
    hospital: from?.custodian ?? hospitalId,
    subject: from?.subject ?? null,
    toHospital: to?.custodian ?? null,
    toSubject: to?.subject ?? null,
    purpose: purposeOf(entry, refs.queryId, options),
    fields: entry.fields,
  };
}
