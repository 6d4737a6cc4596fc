import type { JobContext } from "./JobContext.ts";
import type { QueryJob } from "./QueryJob.ts";
import { finalJobStates } from "./QueryJob.ts";

function newJob(context: JobContext, args: Record<string, unknown>): QueryJob {
  return {
    queryId: String(args.queryId),
    state: "awaiting-spec",
    specHash: String(args.specHash) as `0x${string}`,
    researcher: String(args.researcher).toLowerCase() as `0x${string}`,
    researcherOrg: Number(args.researcherOrg),
    submittedBlock: "0",
    expiry: Number(args.expiry),
    use: Number(args.use),
    categories: Number(args.categories),
    approved: false,
    spec: null,
    attempts: 0,
    reason: null,
    errorCode: null,
    result: null,
    ledgerResult: null,
    report: null,
    updatedAt: context.now(),
  };
}

/**
 * Reads AccessLedger's query events from the block after the last scanned one up to the
 * head and brings the jobs of queries that target this hospital up to date: a submission
 * opens a job (awaiting the researcher's spec), an approval at the threshold marks it
 * approved (queued once the spec is in), a closure cancels it, and this hospital's own
 * recorded or declined response makes it final. The scan position is saved after the jobs,
 * so a crash re-reads a range rather than skipping one.
 */
export async function scanAccessLedger(context: JobContext): Promise<void> {
  const { store, ledger, config } = context;
  const head = await context.provider.getBlockNumber();
  const scanned = await store.scannedBlock();
  const fromBlock = (scanned ?? -1) + 1;
  if (fromBlock > head) return;
  for await (const event of ledger.queryEvents({ fromBlock, toBlock: head })) {
    const args = event.args as Record<string, unknown>;
    const queryId = String(args.queryId);
    if (event.name === "QuerySubmitted") {
      const targets = (args.targets as readonly unknown[]).map(Number);
      if (!targets.includes(config.hospitalId) || (await store.job(queryId)) !== null) continue;
      await store.putJob({ ...newJob(context, args), submittedBlock: String(event.blockNumber) });
      context.log.info({ queryId }, "query targets this hospital");
      continue;
    }
    // Read, changed and written in one update: a spec arriving meanwhile is not lost.
    await store.updateJob(queryId, (job) => {
      if (job === null || finalJobStates.has(job.state)) return null;
      const changed = (next: Partial<QueryJob>): QueryJob => ({
        ...job,
        ...next,
        updatedAt: context.now(),
      });
      if (event.name === "QueryApproved" && args.approved === true) {
        return changed({
          approved: true,
          state: job.state === "awaiting-approval" ? "queued" : job.state,
        });
      }
      if (event.name === "QueryClosed") return changed({ state: "cancelled" });
      if (
        (event.name === "ResultRecorded" || event.name === "QueryDeclined") &&
        Number(args.hospitalId) === config.hospitalId
      ) {
        return changed({ state: event.name === "ResultRecorded" ? "recorded" : "declined" });
      }
      return null;
    });
  }
  await store.setScannedBlock(head);
}
