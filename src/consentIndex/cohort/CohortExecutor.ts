import { CustosError } from "../../errors/index.ts";
import type { HashPort } from "./cohortSnapshot.ts";
import { type CohortTask, type CohortTaskResult, runCohortTask } from "./cohortTask.ts";
import { sha256 } from "./sha256.ts";

/**
 * Runs the tasks of cohort filters (the port behind `ConsentIndex.filterCohortAsync`). The
 * plan cuts each phase into `parallelism` tasks over disjoint ranges and waits for all of
 * them; an executor only decides where they run. Every executor must give the results of
 * `runCohortTask` (tests compare executors with the in-thread path bit for bit).
 */
export interface CohortExecutor {
  /** Tasks per phase (≥ 1): the cohort is cut into this many ranges. */
  readonly parallelism: number;
  /** A cohort is cut into fewer tasks when each would get fewer entries than this. */
  readonly minEntriesPerTask: number;
  /**
   * True when tasks run in other threads: the index then hands them shared memory only
   * (copying a cohort that is not in a `SharedArrayBuffer`).
   */
  readonly sharedMemory: boolean;
  /**
   * Runs one phase's tasks; resolves with their results in task order.
   *
   * @throws CustosError `CONSENT_COHORT_ABORTED` when `signal` aborts;
   *   `CONSENT_COHORT_EXECUTOR_CLOSED` after `close`; `CONSENT_COHORT_WORKER_FAILED` if a
   *   task's thread fails.
   */
  run(tasks: readonly CohortTask[], signal?: AbortSignal): Promise<CohortTaskResult[]>;
  /** Releases the executor's threads; later and pending runs reject. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link createInThreadCohortExecutor}. */
export interface InThreadCohortExecutorOptions {
  /**
   * Tasks per phase, run one after the other (default 1). More than 1 changes nothing but
   * the cut, which is how tests check the parallel plan deterministically in one thread.
   */
  readonly parallelism?: number;
  /** See {@link CohortExecutor.minEntriesPerTask} (default 1). */
  readonly minEntriesPerTask?: number;
  /** Hash port of the commitment (default SHA-256 through node:crypto). */
  readonly hash?: HashPort;
}

/**
 * Throws `CONSENT_COHORT_ABORTED` if `signal` has aborted, keeping the abort reason as the
 * cause.
 *
 * @throws CustosError `CONSENT_COHORT_ABORTED`.
 * @example
 * ```ts
 * throwIfCohortAborted(signal);
 * ```
 */
export function throwIfCohortAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CustosError("CONSENT_COHORT_ABORTED", "the cohort filter was aborted", {
      cause: signal.reason,
    });
  }
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CustosError("INVALID_ARGUMENT", `${field} must be a positive integer`, {
      details: { field },
    });
  }
  return value;
}

/**
 * The default executor: runs each task in the calling thread, one after the other.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a malformed option.
 * @example
 * ```ts
 * const index = createConsentIndex({ now, cohortExecutor: createInThreadCohortExecutor() });
 * const result = await index.filterCohortAsync(cohort, { use, categories });
 * ```
 */
export function createInThreadCohortExecutor(
  options: InThreadCohortExecutorOptions = {},
): CohortExecutor {
  const parallelism = positiveInteger(options.parallelism ?? 1, "parallelism");
  const minEntriesPerTask = positiveInteger(options.minEntriesPerTask ?? 1, "minEntriesPerTask");
  const hash = options.hash ?? sha256;
  let closed = false;
  return {
    parallelism,
    minEntriesPerTask,
    sharedMemory: false,
    async run(tasks, signal) {
      if (closed) {
        throw new CustosError("CONSENT_COHORT_EXECUTOR_CLOSED", "the cohort executor is closed");
      }
      throwIfCohortAborted(signal);
      return tasks.map((task) => runCohortTask(task, hash));
    },
    async close() {
      closed = true;
    },
  };
}
