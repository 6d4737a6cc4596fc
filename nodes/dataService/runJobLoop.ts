import type { JobContext } from "./JobContext.ts";
import { runQueryJob } from "./runQueryJob.ts";
import { scanAccessLedger } from "./scanAccessLedger.ts";
import { sendJobOutcome } from "./sendJobOutcome.ts";
import type { SiteTrailAnchorer } from "./siteTrail/index.ts";

/** What else the loop drives. */
export interface JobLoopOptions {
  /**
   * Anchors the site trail's head after each pass when its interval is due: here, between
   * passes, the recorder's transactions never overlap (their nonces would collide).
   */
  readonly anchorer?: SiteTrailAnchorer;
}

/** The data service's one worker. */
export interface JobLoop {
  /** Runs a pass soon (a spec arrived, staff released). */
  readonly wake: () => void;
  /** Stops after the pass in progress; resolves when it ended. */
  readonly stop: () => Promise<void>;
}

/**
 * One pass: scan AccessLedger, send outcomes waiting to go (`recording`, `declining`), run
 * queued jobs one at a time in query order, then anchor the site trail when due (also after
 * a failed pass). A single worker keeps the consent index, the differencing history, the ε
 * budget and the recorder's nonces free of races.
 */
async function pass(
  context: JobContext,
  stopped: () => boolean,
  options: JobLoopOptions,
): Promise<void> {
  try {
    await work(context, stopped);
  } finally {
    if (!stopped()) await options.anchorer?.tick();
  }
}

async function work(context: JobContext, stopped: () => boolean): Promise<void> {
  await scanAccessLedger(context);
  const jobs = (await context.store.jobs()).sort((a, b) =>
    Number(BigInt(a.queryId) - BigInt(b.queryId)),
  );
  for (const job of jobs) {
    if (stopped()) return;
    if (job.state === "recording" || job.state === "declining") await sendJobOutcome(context, job);
    else if (job.state === "queued") await runQueryJob(context, job);
  }
}

/**
 * Runs passes every `jobs.pollIntervalMs`, or at once when woken. A failed pass (node
 * unreachable, say) is logged and tried again at the next tick.
 */
export function runJobLoop(context: JobContext, options: JobLoopOptions = {}): JobLoop {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    running = pass(context, () => stopped, options)
      .catch((error: unknown) => context.log.warn({ err: error }, "data service pass failed"))
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, again ? 0 : context.config.jobs.pollIntervalMs);
        again = false;
      });
  };
  timer = setTimeout(tick, 0);
  return {
    wake: () => {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = setTimeout(tick, 0);
      } else {
        again = true;
      }
    },
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
