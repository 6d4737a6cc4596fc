/**
 * The cohort engine of the consent index: a cohort checked against the subject table in
 * tasks (in this thread or in worker threads) and committed to by a Merkle root. Internal
 * entry: the index builds on the plan and scratch; `custos/consent-index` re-exports the
 * public part (executors, snapshot proofs, tasks, the default hash).
 *
 * @packageDocumentation
 */
export {
  type CohortExecutor,
  createInThreadCohortExecutor,
  type InThreadCohortExecutorOptions,
  throwIfCohortAborted,
} from "./CohortExecutor.ts";
export type { CohortDecision } from "./cohortMerge.ts";
export {
  type CohortPlanInput,
  type CohortPlanOutput,
  cohortPlan,
  runCohortPlanInline,
} from "./cohortPlan.ts";
export { CohortScratch } from "./cohortScratch.ts";
export {
  buildCohortTree,
  buildSortedCohortTree,
  COHORT_LEAF_SIZE,
  type CohortHashOptions,
  type CohortInclusionProof,
  type CohortSnapshot,
  type CohortTree,
  commit,
  type HashPort,
  proveInclusion,
  verifyInclusion,
} from "./cohortSnapshot.ts";
export {
  type CohortBuffers,
  type CohortTask,
  type CohortTaskResult,
  runCohortTask,
} from "./cohortTask.ts";
export {
  createWorkerCohortExecutor,
  defaultWorkerCohortExecutorOptions,
  MAX_COHORT_WORKERS,
  type WorkerCohortExecutorOptions,
} from "./createWorkerCohortExecutor.ts";
export { sha256 } from "./sha256.ts";
