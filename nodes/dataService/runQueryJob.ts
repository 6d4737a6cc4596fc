import { roundCount } from "../../src/disclosure/index.ts";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import {
  type DeclineReason,
  declineReasonOf,
  type QueryResultDocument,
  signQueryResult,
} from "../../src/federation/index.ts";
import { releaseQueryResult, runQuery } from "../../src/query/index.ts";
import { checkQueryTerms } from "./checkQueryTerms.ts";
import { createLedgerBudgetStore } from "./createLedgerBudgetStore.ts";
import type { JobContext } from "./JobContext.ts";
import type { QueryJob } from "./QueryJob.ts";
import { sendJobOutcome } from "./sendJobOutcome.ts";
import { siteTrailDeclineDetails } from "./siteTrail/index.ts";

/** Errors worth another run: the database or chain may come back; anything else will not. */
const TRANSIENT = new Set([
  "OMOP_STORE_UNAVAILABLE",
  "OMOP_STORE_QUERY_FAILED",
  "LEDGER_UNAVAILABLE",
  "INTERNAL",
]);

async function update(
  context: JobContext,
  job: QueryJob,
  change: Partial<QueryJob>,
): Promise<QueryJob> {
  const next: QueryJob = { ...job, ...change, updatedAt: context.now() };
  await context.store.putJob(next);
  return next;
}

/**
 * Declines a job: in the site trail first, then written, then sent (a restart resends an
 * unsent decline; a crash before the write re-runs the job, so a decline may appear twice in
 * the trail but never not at all).
 */
export async function declineJob(
  context: JobContext,
  job: QueryJob,
  reason: DeclineReason,
  errorCode: string | null,
): Promise<QueryJob> {
  await context.siteTrail.append("queryDeclined", siteTrailDeclineDetails(job, reason, errorCode));
  const declining = await update(context, job, { state: "declining", reason, errorCode });
  context.log.info({ queryId: job.queryId, reason }, "declining query");
  return sendJobOutcome(context, declining);
}

/** The consenting persons at the consent block, as OMOP person ids, and the snapshot. */
async function allowList(context: JobContext, job: QueryJob, signal: AbortSignal) {
  await context.consentSync.syncOnce(signal);
  const block = context.consentIndex.syncState().syncedBlock;
  if (block === null || block < Number(job.submittedBlock)) {
    throw new CustosError(
      "LEDGER_UNAVAILABLE",
      "the consent index has not reached the query's block",
      {
        details: {
          operation: "consent sync",
          syncedBlock: block,
          submittedBlock: job.submittedBlock,
        },
      },
    );
  }
  const header = await context.provider.getBlock(block);
  const at = header?.timestamp ?? context.now();
  const cohort = await context.consentIndex.filterCohortAsync(
    context.persons.subjects,
    { use: job.use, categories: job.categories, at },
    { signal },
  );
  const personIds = new Float64Array(cohort.allowedCount);
  cohort.allowedIndices.forEach((position, i) => {
    personIds[i] = context.persons.personIds[position] ?? 0;
  });
  return { block, personIds, allowedIndices: cohort.allowedIndices, snapshot: cohort.snapshot };
}

/**
 * Runs one queued query job to its end: the site-policy checks, the consent allow-list at
 * the latest committed block (so a revocation up to then counts), the spec on the OMOP
 * store within the time limit, disclosure control with the differencing guard and the ε
 * budget, then the signed result (recorded at once, or held for staff when the policy asks)
 * or a decline with its reason. The job is written before each step with an outside effect.
 * A failure that may pass (database, chain) sends the job back to the queue until its
 * retries are spent; any other declines it.
 */
export async function runQueryJob(context: JobContext, queued: QueryJob): Promise<QueryJob> {
  const { config } = context;
  const refusal = checkQueryTerms(queued, config.policy, context.now());
  if (refusal !== null) return declineJob(context, queued, refusal, null);
  const spec = queued.spec;
  if (spec === null) return queued;
  let job = await update(context, queued, { state: "running", attempts: queued.attempts + 1 });
  const signal = AbortSignal.timeout(config.jobs.timeoutSeconds * 1000);
  try {
    const consent = await allowList(context, job, signal);
    const run = await runQuery(context.omop, spec, consent.personIds, { signal });
    const policy = config.policy;
    const release = await releaseQueryResult(
      run.aggregates,
      {
        disclosure: {
          minCellSize: policy.minCellSize,
          minCohortDifference: policy.minCellSize,
          rounding: { base: policy.roundingBase, mode: "nearest" },
          noise:
            policy.epsilonMicro > 0
              ? { mechanism: "discreteLaplace", epsilonMicro: policy.epsilonMicro }
              : { mechanism: "none" },
        },
        statistics: {
          minN: policy.minStatisticN,
          dominance: { contributors: 2, share: policy.dominanceShare },
        },
      },
      {
        differencing: context.store.differencing,
        random: context.random,
        ...(policy.epsilonMicro > 0
          ? { budget: createLedgerBudgetStore(context.ledger, config.hospitalId) }
          : {}),
      },
      {
        requester: String(job.researcherOrg),
        hospital: String(config.hospitalId),
        queryId: job.queryId,
        cohort: run.cohortPersonIds,
      },
    );
    if (release.status === "declined") {
      return declineJob(
        context,
        { ...job, report: release.report },
        declineReasonOf(release.code),
        release.code,
      );
    }
    // Accounted before the result exists: no release without its accounting of disclosures.
    await context.disclosures.record(
      job.queryId,
      { allowedIndices: consent.allowedIndices, root: consent.snapshot.root },
      run.cohortPersonIds,
    );
    const subjectCount = roundCount(consent.snapshot.count, {
      base: policy.roundingBase,
      mode: "nearest",
    });
    const document: QueryResultDocument = {
      schema: "custos.query-result/1",
      queryId: job.queryId,
      hospitalId: config.hospitalId,
      specHash: job.specHash,
      researcher: job.researcher,
      consent: { block: consent.block, root: consent.snapshot.root, subjectCount },
      provenance: {
        engine: run.data.engine,
        cdmVersion: run.data.cdmVersion,
        vocabularyVersion: run.data.vocabularyVersion,
        dataSnapshotDate: run.data.sourceReleaseDate,
        concepts: run.concepts,
        custosVersion: context.custosVersion,
        disclosureRules: release.report.schema,
      },
      statistics: release.statistics,
      disclosureReportHash: release.reportHash,
      epsilonMicro: release.epsilonMicro,
    };
    const signed = await signQueryResult(context.recorder, document);
    job = await update(context, job, {
      state: policy.manualRelease ? "awaiting-release" : "recording",
      result: signed,
      report: release.report,
      ledgerResult: {
        resultHash: signed.resultHash,
        consentBlock: String(consent.block),
        consentRoot: consent.snapshot.root,
        subjectCount,
        disclosureReportHash: release.reportHash,
        epsilon: String(release.epsilonMicro),
      },
    });
    return policy.manualRelease ? job : sendJobOutcome(context, job);
  } catch (error) {
    const code = isCustosError(error) ? error.code : "INTERNAL";
    const timedOut = signal.aborted;
    context.log.warn(
      { queryId: job.queryId, code, timedOut, attempt: job.attempts },
      "query run failed",
    );
    const retry = (timedOut || TRANSIENT.has(code)) && job.attempts <= config.jobs.retries;
    await context.siteTrail.append("runFailed", {
      queryId: job.queryId,
      attempt: job.attempts,
      errorCode: code,
      timedOut,
      interrupted: false,
      retry,
    });
    if (retry) return update(context, job, { state: "queued", errorCode: code });
    const reason: DeclineReason = timedOut
      ? "failed"
      : code === "OMOP_STORE_UNAVAILABLE"
        ? "dataUnavailable"
        : declineReasonOf(code);
    return declineJob(context, job, reason, code);
  }
}
