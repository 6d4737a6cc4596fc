import type { DataCategory, PurposeLabel } from "../consent/index.ts";
import type { DeclineReason } from "../federation/index.ts";
import type { Hex } from "../ledger/index.ts";

/** A query's state on chain (expiry is not a state: see {@link queryStatusAt}). */
export type QuerySummaryStatus = "submitted" | "approved" | "closed";

/** A target hospital's answer: none yet, a recorded result, or a decline. */
export type QueryResponseStatus = "none" | "recorded" | "declined";

/** One review board's approval of a query. */
export interface QueryApproval {
  readonly reviewBoardOrg: number;
  readonly approver: Hex;
  readonly blockNumber: number;
  readonly timestamp: number;
}

/**
 * A target hospital's response. Fields of the other kind of answer, and every field before
 * an answer, are null: a result carries its hashes, consent snapshot, count and ε; a decline
 * its reason.
 */
export interface QueryResponseSummary {
  readonly hospitalId: number;
  readonly status: QueryResponseStatus;
  /** The hospital's recorder that answered. */
  readonly recorder: Hex | null;
  /** Unix seconds of the answer's block. */
  readonly respondedAt: number | null;
  readonly blockNumber: number | null;
  readonly txHash: Hex | null;
  readonly resultHash: Hex | null;
  /** Block of the consent snapshot the result was computed on (decimal). */
  readonly consentBlock: string | null;
  /** Merkle root of the consenting subject set. */
  readonly consentRoot: Hex | null;
  /** Rounded subject count. */
  readonly subjectCount: number | null;
  readonly disclosureReportHash: Hex | null;
  /** ε charged, micro-units (decimal; 1,000,000 = 1.0). */
  readonly epsilon: string | null;
  readonly reasonCode: number | null;
  /** Name of the reason code in the network's decline vocabulary. */
  readonly reason: DeclineReason | null;
}

/** Where a step of a query's lifecycle happened. */
export interface QueryStep {
  readonly blockNumber: number;
  /** Unix seconds of the block. */
  readonly timestamp: number;
  readonly txHash: Hex;
}

/** A query's state folded from its entries (see `applyQueryEntry`). */
export interface QuerySummary {
  /** Decimal uint64. */
  readonly queryId: string;
  readonly status: QuerySummaryStatus;
  readonly researcher: Hex;
  readonly researcherOrg: number;
  /** The single DUO permission bit of `use`. */
  readonly purpose: number;
  readonly purposeLabel: PurposeLabel | null;
  /** The permission bit plus the attested condition bits. */
  readonly use: number;
  readonly useLabels: readonly PurposeLabel[];
  readonly categories: number;
  readonly categoryNames: readonly DataCategory[];
  /** Target hospitals, in submission order. */
  readonly targets: readonly number[];
  readonly specHash: Hex;
  readonly approvalRef: Hex;
  /** Unix second from which the query accepts no approval or response. */
  readonly expiry: number;
  readonly submitted: QueryStep;
  /** Approvals in chain order. */
  readonly approvals: readonly QueryApproval[];
  /** When the approval that reached the threshold was given. */
  readonly approved: QueryStep | null;
  /** One per target, in target order. */
  readonly responses: readonly QueryResponseSummary[];
  readonly responseCount: number;
  /** ε charged by every recorded result, micro-units (decimal). */
  readonly epsilonTotal: string;
  readonly closed: (QueryStep & { readonly closedBy: Hex }) | null;
  /** The query's latest entry. */
  readonly updated: QueryStep;
}

/**
 * A query's status at unix second `now`: its on-chain status, or "expired" for one not
 * closed whose expiry has passed (it accepts no approval or response any more).
 *
 * @example
 * ```ts
 * queryStatusAt(summary, Math.floor(Date.now() / 1000)); // "approved" | "expired" | …
 * ```
 */
export function queryStatusAt(
  summary: Pick<QuerySummary, "status" | "expiry">,
  now: number,
): QuerySummaryStatus | "expired" {
  return summary.status !== "closed" && now >= summary.expiry ? "expired" : summary.status;
}
