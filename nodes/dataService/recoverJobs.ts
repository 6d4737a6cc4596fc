import type { JobContext } from "./JobContext.ts";
import { declineJob } from "./runQueryJob.ts";
import { sendJobOutcome } from "./sendJobOutcome.ts";

/**
 * Finishes what a previous run left in flight, before new work: a job caught `running`
 * (the process died mid-query) is a failed run in the site trail and goes back to the queue
 * while it has retries left and is declined (`failed`) after; a job caught `recording` or `declining` has its transaction
 * sent unless the chain already holds this hospital's response. A result is never computed
 * twice once signed, and never recorded twice.
 */
export async function recoverJobs(context: JobContext): Promise<void> {
  for (const job of await context.store.jobs()) {
    try {
      if (job.state === "running") {
        const retry = job.attempts <= context.config.jobs.retries;
        await context.siteTrail.append("runFailed", {
          queryId: job.queryId,
          attempt: job.attempts,
          errorCode: null,
          timedOut: false,
          interrupted: true,
          retry,
        });
        if (retry) {
          await context.store.putJob({ ...job, state: "queued", updatedAt: context.now() });
          context.log.warn(
            { queryId: job.queryId, attempts: job.attempts },
            "requeued after a crash",
          );
        } else {
          await declineJob(context, job, "failed", "DATA_SERVICE_JOB_FAILED");
        }
      } else if (job.state === "recording" || job.state === "declining") {
        await sendJobOutcome(context, job);
      }
    } catch (error) {
      context.log.warn(
        { queryId: job.queryId, err: error },
        "recovery of a job failed; the loop retries it",
      );
    }
  }
}
