import { getHeapStatistics } from "node:v8";
import { parentPort } from "node:worker_threads";
import { type ErrorDetails, isCustosError } from "../../src/errors/index.ts";

/** What every answer of {@link answerWorkerJobs} carries besides the answer itself. */
export interface WorkerHeap {
  /** V8 heap committed by the worker's isolate after the job (`total_heap_size`). */
  readonly heapBytes: number;
}

function heapBytes(): number {
  return getHeapStatistics().total_heap_size;
}

/** A worker's answer to a job that failed: the error, flattened so it crosses threads. */
export interface WorkerJobFailure {
  readonly id: number;
  readonly ok: false;
  readonly error: {
    readonly code: string | null;
    readonly message: string;
    readonly details: ErrorDetails;
  };
}

/** What a worker posts once, when it can take jobs (its modules are loaded). */
export const WORKER_READY = { ready: true } as const;

/**
 * Inside a worker thread: posts {@link WORKER_READY}, then answers each job posted by the
 * parent with `perform`'s answer, or
 * with a {@link WorkerJobFailure} carrying the error's code, short message and details (a
 * CustosError is rebuilt from them on the parent's side). Each answer also carries
 * `heapBytes`, the V8 heap the worker holds after the job ({@link WorkerHeap}), so the parent
 * can report its workers' memory.
 *
 * @example
 * ```ts
 * answerWorkerJobs((job: StateJob) => perform(job));
 * ```
 */
export function answerWorkerJobs<J extends { readonly id: number }>(
  perform: (job: J) => Promise<unknown>,
): void {
  parentPort?.on("message", (job: J) => {
    perform(job).then(
      (answer) => parentPort?.postMessage({ ...(answer as object), heapBytes: heapBytes() }),
      (error: unknown) => {
        const failure: WorkerJobFailure & WorkerHeap = {
          id: job.id,
          heapBytes: heapBytes(),
          ok: false,
          error: {
            code: isCustosError(error) ? error.code : null,
            message: isCustosError(error)
              ? error.shortMessage
              : error instanceof Error
                ? error.message
                : String(error),
            details: isCustosError(error) ? { ...error.details } : {},
          },
        };
        parentPort?.postMessage(failure);
      },
    );
  });
  parentPort?.postMessage(WORKER_READY);
}
