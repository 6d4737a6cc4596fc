import type { DeclineReason, SignedQueryResult } from "../../src/federation/index.ts";
import type { QueryDisclosureReport, QuerySpec } from "../../src/query/index.ts";

/**
 * Where a query stands at this hospital. `recording` and `declining` are written before the
 * transaction is sent, so a restart finishes what a crash interrupted instead of running the
 * query again; `recorded`, `declined` and `cancelled` are final.
 */
export type QueryJobState =
  | "awaiting-spec"
  | "awaiting-approval"
  | "queued"
  | "running"
  | "awaiting-release"
  | "recording"
  | "declining"
  | "recorded"
  | "declined"
  | "cancelled";

/** The final states. */
export const finalJobStates: ReadonlySet<QueryJobState> = new Set([
  "recorded",
  "declined",
  "cancelled",
]);

/** The on-chain record a result is anchored with, as JSON (bigints as decimal strings). */
export interface StoredLedgerResult {
  readonly resultHash: `0x${string}`;
  readonly consentBlock: string;
  readonly consentRoot: `0x${string}`;
  readonly subjectCount: number;
  readonly disclosureReportHash: `0x${string}`;
  readonly epsilon: string;
}

/** One query's job at this hospital, persisted as JSON. */
export interface QueryJob {
  readonly queryId: string;
  readonly state: QueryJobState;
  readonly specHash: `0x${string}`;
  readonly researcher: `0x${string}`;
  readonly researcherOrg: number;
  readonly submittedBlock: string;
  /** Unix seconds. */
  readonly expiry: number;
  readonly use: number;
  readonly categories: number;
  readonly approved: boolean;
  /** The normalised spec, once the researcher delivered one matching the chain. */
  readonly spec: QuerySpec | null;
  /** Runs started (a crash mid-run counts). */
  readonly attempts: number;
  readonly reason: DeclineReason | null;
  /** The error behind a decline: code only, never data. */
  readonly errorCode: string | null;
  readonly result: SignedQueryResult | null;
  readonly ledgerResult: StoredLedgerResult | null;
  /** The custodian's disclosure report (kept here; its hash is on chain). */
  readonly report: QueryDisclosureReport | null;
  /** Unix seconds of the last change. */
  readonly updatedAt: number;
}
