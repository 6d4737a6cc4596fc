import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CustosError } from "../../errors/index.ts";
import { siblingModuleUrl } from "../../runtime/index.ts";
import { isShared } from "../sharedMemory.ts";
import { type CohortExecutor, throwIfCohortAborted } from "./CohortExecutor.ts";
import type { CohortBuffers, CohortTask, CohortTaskResult } from "./cohortTask.ts";
import type { CohortWorkerReply, CohortWorkerRequest } from "./cohortWorker.ts";

/** Most worker threads one executor starts. */
export const MAX_COHORT_WORKERS = 16;

/** Options of {@link createWorkerCohortExecutor}. */
export interface WorkerCohortExecutorOptions {
  /** Worker threads, 1 to {@link MAX_COHORT_WORKERS} (default: the CPUs available, ≤ 2). */
  readonly workers?: number;
  /**
   * A cohort is cut into fewer tasks when each would get fewer entries than this (default
   * 65,536: below that, posting a task costs more than its share of the work).
   */
  readonly minEntriesPerTask?: number;
  /** Closes the executor when aborted. */
  readonly signal?: AbortSignal;
}

/** Defaults of {@link WorkerCohortExecutorOptions}. */
export const defaultWorkerCohortExecutorOptions = {
  maxDefaultWorkers: 2,
  minEntriesPerTask: 65_536,
} as const;

const WORKER_URL = siblingModuleUrl(import.meta.url, "cohortWorker");

interface Job {
  readonly id: number;
  readonly task: CohortTask;
  readonly resolve: (result: CohortTaskResult) => void;
  readonly reject: (error: CustosError) => void;
}

interface Slot {
  readonly index: number;
  worker: Worker | null;
  job: Job | null;
}

function closedError(): CustosError {
  return new CustosError("CONSENT_COHORT_EXECUTOR_CLOSED", "the cohort executor is closed");
}

function checkShared(buffers: CohortBuffers): void {
  for (const [field, array] of Object.entries(buffers)) {
    if (array !== null && !isShared((array as Uint8Array).buffer)) {
      // A plain buffer would be copied into the worker, which would then write to the copy.
      throw new CustosError("INVALID_ARGUMENT", "cohort buffers must be shared memory", {
        details: { field: `buffers.${field}` },
      });
    }
  }
}

/**
 * A pool of worker threads for cohort filters: `createConsentIndex({ cohortExecutor })` then
 * runs each phase of `filterCohortAsync` as one task per worker over the shared table and
 * scratch. Workers start on first use and are unreferenced while idle (an idle pool does not
 * keep the process alive). An abort or a failed task terminates the workers still busy with
 * that phase, so no task outlives its filter; they are restarted on the next use. The
 * integrator creates it and calls `close()` on shutdown.
 *
 * @throws CustosError `INVALID_ARGUMENT` for malformed options.
 * @example
 * ```ts
 * const cohortExecutor = createWorkerCohortExecutor({ workers: 2 });
 * const index = createConsentIndex({ now, cohortExecutor });
 * const result = await index.filterCohortAsync(cohortBytes, { use, categories }, { signal });
 * await cohortExecutor.close();
 * ```
 */
export function createWorkerCohortExecutor(
  options: WorkerCohortExecutorOptions = {},
): CohortExecutor {
  const d = defaultWorkerCohortExecutorOptions;
  const workers =
    options.workers ?? Math.max(1, Math.min(d.maxDefaultWorkers, availableParallelism()));
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > MAX_COHORT_WORKERS) {
    throw new CustosError(
      "INVALID_ARGUMENT",
      `workers must be an integer from 1 to ${MAX_COHORT_WORKERS}`,
      { details: { field: "workers" } },
    );
  }
  const minEntriesPerTask = options.minEntriesPerTask ?? d.minEntriesPerTask;
  if (!Number.isSafeInteger(minEntriesPerTask) || minEntriesPerTask < 1) {
    throw new CustosError("INVALID_ARGUMENT", "minEntriesPerTask must be a positive integer", {
      details: { field: "minEntriesPerTask" },
    });
  }

  const slots: Slot[] = Array.from({ length: workers }, (_, index) => ({
    index,
    worker: null,
    job: null,
  }));
  const queue: Job[] = [];
  let nextId = 0;
  let closing: Promise<void> | null = null;

  /** Ends the slot's worker (if any) and fails its job; resolves once the thread is gone. */
  function retire(slot: Slot, error: CustosError): Promise<void> {
    const { worker, job } = slot;
    slot.worker = null;
    slot.job = null;
    job?.reject(error);
    return worker === null ? Promise.resolve() : worker.terminate().then(() => undefined);
  }

  function workerFailed(slot: Slot, message: string, cause?: unknown): CustosError {
    return new CustosError("CONSENT_COHORT_WORKER_FAILED", message, {
      details: { worker: slot.index },
      cause,
    });
  }

  function start(slot: Slot): Worker {
    const worker = new Worker(WORKER_URL, { name: `custos-cohort-${slot.index}` });
    worker.unref();
    worker.on("message", (reply: CohortWorkerReply) => {
      const job = slot.job;
      if (slot.worker !== worker || job === null || job.id !== reply.id) return;
      slot.job = null;
      worker.unref();
      if ("error" in reply) {
        job.reject(
          new CustosError("CONSENT_COHORT_WORKER_FAILED", "a cohort task failed in its worker", {
            details: { worker: slot.index, code: reply.error.code },
            cause: new Error(reply.error.message),
          }),
        );
      } else {
        job.resolve(reply.result);
      }
      dispatch();
    });
    worker.on("error", (error) => {
      if (slot.worker === worker) {
        void retire(slot, workerFailed(slot, "a cohort worker crashed", error)).then(dispatch);
      }
    });
    worker.on("exit", (code) => {
      if (slot.worker === worker) {
        void retire(slot, workerFailed(slot, `a cohort worker exited with code ${code}`)).then(
          dispatch,
        );
      }
    });
    return worker;
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (closing !== null || queue.length === 0) return;
      if (slot.job !== null) continue;
      const job = queue.shift() as Job;
      let worker = slot.worker;
      try {
        worker ??= slot.worker = start(slot);
        slot.job = job;
        worker.ref();
        worker.postMessage({ id: job.id, task: job.task } satisfies CohortWorkerRequest);
      } catch (error) {
        void retire(slot, workerFailed(slot, "a cohort task could not be sent", error));
      }
    }
  }

  async function run(
    tasks: readonly CohortTask[],
    signal?: AbortSignal,
  ): Promise<CohortTaskResult[]> {
    if (closing !== null) throw closedError();
    throwIfCohortAborted(signal);
    for (const task of tasks) checkShared(task.buffers);
    const jobs: Job[] = [];
    const settled = tasks.map(
      (task) =>
        new Promise<CohortTaskResult>((resolve, reject) => {
          jobs.push({ id: nextId++, task, resolve, reject });
        }),
    );
    queue.push(...jobs);
    // One failure fails the phase; its other tasks are stopped before the caller hears of it
    // (they write to the filter's scratch, which the next filter reuses).
    let stopping: Promise<void> | null = null;
    let failure: CustosError | null = null;
    const stopRest = (error: CustosError): Promise<void> => {
      if (stopping !== null) return stopping;
      failure = error;
      for (const job of jobs) {
        const queued = queue.indexOf(job);
        if (queued < 0) continue;
        queue.splice(queued, 1);
        job.reject(error);
      }
      const busy = slots.filter((slot) => slot.job !== null && jobs.includes(slot.job));
      stopping = Promise.all(busy.map((slot) => retire(slot, error))).then(() => undefined);
      return stopping;
    };
    const onAbort = () => {
      void stopRest(
        new CustosError("CONSENT_COHORT_ABORTED", "the cohort filter was aborted", {
          cause: signal?.reason,
        }),
      );
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    dispatch();
    try {
      return await Promise.all(settled);
    } catch (error) {
      await stopRest(error as CustosError);
      // A close rejects the jobs first and ends the threads after: wait for that too.
      if (closing !== null) await closing;
      throw failure ?? error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      dispatch();
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      for (const job of queue.splice(0)) job.reject(closedError());
      await Promise.all(slots.map((slot) => retire(slot, closedError())));
    })();
    return closing;
  }

  if (options.signal?.aborted) void close();
  else options.signal?.addEventListener("abort", () => void close(), { once: true });

  return { parallelism: workers, minEntriesPerTask, sharedMemory: true, run, close };
}
