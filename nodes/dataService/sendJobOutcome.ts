import { isCustosError } from "../../src/errors/index.ts";
import { declineReasons } from "../../src/federation/index.ts";
import type { JobContext } from "./JobContext.ts";
import type { QueryJob } from "./QueryJob.ts";
import { siteTrailDeclineDetails } from "./siteTrail/index.ts";

/**
 * Sends a job's outcome — `recordResult` for `recording`, `declineQuery` for `declining` —
 * unless the chain already has this hospital's response (a crash after the transaction and
 * before the job was updated), so nothing is ever recorded twice. A query that can no longer
 * take a response (expired, closed) is declined here only. Returns the final job.
 */
export async function sendJobOutcome(context: JobContext, job: QueryJob): Promise<QueryJob> {
  const { ledger, config } = context;
  const final = async (change: Partial<QueryJob>) => {
    const next: QueryJob = { ...job, ...change, updatedAt: context.now() };
    await context.store.putJob(next);
    return next;
  };
  const response = await ledger.responseOf(BigInt(job.queryId), config.hospitalId);
  if (response.status === "recorded") return final({ state: "recorded" });
  if (response.status === "declined") return final({ state: "declined" });
  const onChain = await ledger.query(BigInt(job.queryId));
  const open = onChain.status === "approved" && context.now() < onChain.expiry;
  if (job.state === "declining") {
    if (open) {
      const reason = declineReasons[job.reason ?? "failed"];
      await ledger.declineQuery(BigInt(job.queryId), config.hospitalId, reason);
    }
    return final({ state: onChain.status === "closed" ? "cancelled" : "declined" });
  }
  if (job.state !== "recording" || job.ledgerResult === null) return job;
  if (!open) {
    // A signed result the chain can no longer take: never released, so the trail says so.
    await context.siteTrail.append("queryDeclined", siteTrailDeclineDetails(job, "expired", null));
    return final({
      state: onChain.status === "closed" ? "cancelled" : "declined",
      reason: "expired",
    });
  }
  const r = job.ledgerResult;
  try {
    await ledger.recordResult(BigInt(job.queryId), config.hospitalId, {
      resultHash: r.resultHash,
      consentBlock: BigInt(r.consentBlock),
      consentRoot: r.consentRoot,
      subjectCount: r.subjectCount,
      disclosureReportHash: r.disclosureReportHash,
      epsilon: BigInt(r.epsilon),
    });
  } catch (error) {
    if (isCustosError(error, "LEDGER_BUDGET_EXCEEDED")) {
      await context.siteTrail.append(
        "queryDeclined",
        siteTrailDeclineDetails(job, "budgetExceeded", error.code),
      );
      return final({ state: "declining", reason: "budgetExceeded", errorCode: error.code }).then(
        (next) => sendJobOutcome(context, next),
      );
    }
    throw error;
  }
  context.log.info({ queryId: job.queryId }, "result recorded");
  return final({ state: "recorded" });
}
