/**
 * Entry of a cohort worker thread (started by `createWorkerCohortExecutor`): runs each task
 * it is sent with `runCohortTask` on the shared buffers the task names and answers with the
 * result or the error. Holds no state between tasks.
 */
import { parentPort } from "node:worker_threads";
import { isCustosError } from "../../errors/index.ts";
import type { CohortTask } from "./cohortTask.ts";
import { runCohortTask } from "./cohortTask.ts";
import { sha256 } from "./sha256.ts";

/** A task message from the executor. */
export interface CohortWorkerRequest {
  readonly id: number;
  readonly task: CohortTask;
}

/** A worker's answer: the task's result, or its error as plain data. */
export type CohortWorkerReply =
  | { readonly id: number; readonly result: ReturnType<typeof runCohortTask> }
  | {
      readonly id: number;
      readonly error: { readonly code: string | null; readonly message: string };
    };

parentPort?.on("message", ({ id, task }: CohortWorkerRequest) => {
  let reply: CohortWorkerReply;
  try {
    reply = { id, result: runCohortTask(task, sha256) };
  } catch (error) {
    reply = {
      id,
      error: {
        code: isCustosError(error) ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
  parentPort?.postMessage(reply);
});
