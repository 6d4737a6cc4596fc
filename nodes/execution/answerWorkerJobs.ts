import { parentPort } from "node:worker_threads";
import { type ErrorDetails, isCustosError } from "../../src/errors/index.ts";

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

/**
 * Inside a worker thread: answers each job posted by the parent with `perform`'s answer, or
 * with a {@link WorkerJobFailure} carrying the error's code, short message and details (a
 * CustosError is rebuilt from them on the parent's side).
 *
 * @example
 * ```ts
 * answerWorkerJobs((job: CallJob) => perform(job));
 * ```
 */
export function answerWorkerJobs<J extends { readonly id: number }>(
  perform: (job: J) => Promise<unknown>,
): void {
  parentPort?.on("message", (job: J) => {
    perform(job).then(
      (answer) => parentPort?.postMessage(answer),
      (error: unknown) => {
        const failure: WorkerJobFailure = {
          id: job.id,
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
}
