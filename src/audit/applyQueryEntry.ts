import { CustosError } from "../errors/index.ts";
import type { AuditEntry, QueryAuditEntry } from "./AuditEntry.ts";
import type { QueryResponseSummary, QueryStep, QuerySummary } from "./QuerySummary.ts";

const queryEvents = new Set<string>([
  "QuerySubmitted",
  "QueryApproved",
  "ResultRecorded",
  "QueryDeclined",
  "QueryClosed",
]);

/**
 * Whether an entry belongs to a query's lifecycle.
 *
 * @example
 * ```ts
 * entries.filter(isQueryEntry);
 * ```
 */
export function isQueryEntry(entry: AuditEntry): entry is QueryAuditEntry {
  return queryEvents.has(entry.event);
}

function stepOf(entry: AuditEntry): QueryStep {
  return {
    blockNumber: entry.at.blockNumber,
    timestamp: entry.at.blockTimestamp,
    txHash: entry.at.txHash,
  };
}

function noResponse(hospitalId: number): QueryResponseSummary {
  return {
    hospitalId,
    status: "none",
    recorder: null,
    respondedAt: null,
    blockNumber: null,
    txHash: null,
    resultHash: null,
    consentBlock: null,
    consentRoot: null,
    subjectCount: null,
    disclosureReportHash: null,
    epsilon: null,
    reasonCode: null,
    reason: null,
  };
}

function outOfOrder(entry: AuditEntry, reason: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", `${entry.event} cannot be applied: ${reason}`, {
    details: {
      field: "entry",
      event: entry.event,
      blockNumber: entry.at.blockNumber,
      logIndex: entry.at.logIndex,
    },
  });
}

function withResponse(
  summary: QuerySummary,
  entry: AuditEntry,
  hospitalId: number,
  answer: (previous: QueryResponseSummary) => QueryResponseSummary,
): QuerySummary["responses"] {
  const at = summary.responses.findIndex((r) => r.hospitalId === hospitalId);
  if (at < 0) throw outOfOrder(entry, `hospital ${hospitalId} is not a target`);
  return summary.responses.map((r, i) => (i === at ? answer(r) : r));
}

function submitted(entry: AuditEntry & { event: "QuerySubmitted" }): QuerySummary {
  const f = entry.fields;
  const step = stepOf(entry);
  return {
    queryId: f.queryId,
    status: "submitted",
    researcher: f.researcher,
    researcherOrg: f.researcherOrg,
    purpose: f.purpose,
    purposeLabel: f.purposeLabel,
    use: f.use,
    useLabels: f.useLabels,
    categories: f.categories,
    categoryNames: f.categoryNames,
    targets: f.targets,
    specHash: f.specHash,
    approvalRef: f.approvalRef,
    expiry: f.expiry,
    submitted: step,
    approvals: [],
    approved: null,
    responses: f.targets.map(noResponse),
    responseCount: 0,
    epsilonTotal: "0",
    closed: null,
    updated: step,
  };
}

/**
 * Folds one entry of a query's lifecycle into its summary (undefined before the query's
 * QuerySubmitted): approvals, each target hospital's result or decline with its fields, the
 * ε total, closing. Pure: the summary is rebuilt, never changed, and the same entries in
 * chain order always give the same summary, key order included.
 *
 * @throws CustosError `INVALID_ARGUMENT` for an entry that is not a query entry, belongs to
 *   another query, comes before the query's submission or names a hospital that is not a
 *   target.
 * @example
 * ```ts
 * let summary: QuerySummary | undefined;
 * for (const entry of trail) summary = applyQueryEntry(summary, entry);
 * ```
 */
export function applyQueryEntry(
  summary: QuerySummary | undefined,
  entry: AuditEntry,
): QuerySummary {
  if (!isQueryEntry(entry)) throw outOfOrder(entry, "not a query entry");
  if (entry.event === "QuerySubmitted") {
    if (summary !== undefined) throw outOfOrder(entry, `query ${summary.queryId} exists`);
    return submitted(entry);
  }
  if (summary === undefined) throw outOfOrder(entry, "the query was not submitted");
  if (summary.queryId !== entry.fields.queryId) {
    throw outOfOrder(entry, `it belongs to query ${entry.fields.queryId}`);
  }
  const step = stepOf(entry);
  switch (entry.event) {
    case "QueryApproved": {
      const f = entry.fields;
      return {
        ...summary,
        status: f.approved ? "approved" : summary.status,
        approvals: [
          ...summary.approvals,
          {
            reviewBoardOrg: f.reviewBoardOrg,
            approver: f.approver,
            blockNumber: step.blockNumber,
            timestamp: step.timestamp,
          },
        ],
        approved: f.approved ? step : summary.approved,
        updated: step,
      };
    }
    case "ResultRecorded": {
      const { hospitalId, recorder, result } = entry.fields;
      return {
        ...summary,
        responses: withResponse(summary, entry, hospitalId, (r) => ({
          ...r,
          status: "recorded",
          recorder,
          respondedAt: step.timestamp,
          blockNumber: step.blockNumber,
          txHash: step.txHash,
          resultHash: result.resultHash,
          consentBlock: result.consentBlock,
          consentRoot: result.consentRoot,
          subjectCount: result.subjectCount,
          disclosureReportHash: result.disclosureReportHash,
          epsilon: result.epsilon,
        })),
        responseCount: summary.responseCount + 1,
        epsilonTotal: (BigInt(summary.epsilonTotal) + BigInt(result.epsilon)).toString(),
        updated: step,
      };
    }
    case "QueryDeclined": {
      const { hospitalId, recorder, reasonCode, reason } = entry.fields;
      return {
        ...summary,
        responses: withResponse(summary, entry, hospitalId, (r) => ({
          ...r,
          status: "declined",
          recorder,
          respondedAt: step.timestamp,
          blockNumber: step.blockNumber,
          txHash: step.txHash,
          reasonCode,
          reason,
        })),
        responseCount: summary.responseCount + 1,
        updated: step,
      };
    }
    case "QueryClosed":
      return {
        ...summary,
        status: "closed",
        closed: { ...step, closedBy: entry.fields.closedBy },
        updated: step,
      };
  }
}

/**
 * A query's summary from its entries in chain order; undefined for none.
 *
 * @throws CustosError `INVALID_ARGUMENT` as {@link applyQueryEntry}.
 * @example
 * ```ts
 * const summary = foldQuerySummary(trail.entries);
 * ```
 */
export function foldQuerySummary(entries: readonly AuditEntry[]): QuerySummary | undefined {
  return entries.reduce<QuerySummary | undefined>(applyQueryEntry, undefined);
}
