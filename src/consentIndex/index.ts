/**
 * The consent index (`custos/consent-index`): one custodian's consent records held in a
 * subject table, synced from the ConsentRegistry's events (and persisted in a store),
 * answering access checks and whole cohorts (in worker threads if wanted) with a commitment
 * to the allowed set, and spot-checked against the contract. Builds on `custos/ledger` (the
 * registry's events and state) and `custos/consent` (the vocabulary).
 *
 * @packageDocumentation
 */
export {
  type AccessDecision,
  type DenyReason,
  denyReasons,
} from "./AccessDecision.ts";
export type { ConsentChange, ConsentState } from "./ConsentChange.ts";
export {
  type ConsentEventRange,
  type ConsentEventSource,
  createRegistryEventSource,
  type RegistryEventSourceOptions,
} from "./ConsentEventSource.ts";
export type {
  AccessRequest,
  ApplyOutcome,
  ChainPosition,
  CohortRequest,
  CohortResult,
  ConsentIndex,
  ConsentIndexStats,
  ConsentIndexSyncState,
  FilterCohortOptions,
} from "./ConsentIndex.ts";
export type {
  ConsentIndexStore,
  StoreCommit,
  StoredConsent,
  StoredSyncPosition,
} from "./ConsentIndexStore.ts";
export type {
  ConsentIndexSync,
  ConsentIndexSyncEvent,
  ConsentIndexSyncStatus,
  SyncPassResult,
  SyncTimers,
} from "./ConsentIndexSync.ts";
export {
  buildCohortTree,
  buildSortedCohortTree,
  COHORT_LEAF_SIZE,
  type CohortBuffers,
  type CohortExecutor,
  type CohortHashOptions,
  type CohortInclusionProof,
  type CohortSnapshot,
  type CohortTask,
  type CohortTaskResult,
  type CohortTree,
  createInThreadCohortExecutor,
  createWorkerCohortExecutor,
  defaultWorkerCohortExecutorOptions,
  type HashPort,
  type InThreadCohortExecutorOptions,
  MAX_COHORT_WORKERS,
  proveInclusion,
  runCohortTask,
  sha256,
  throwIfCohortAborted,
  verifyInclusion,
  type WorkerCohortExecutorOptions,
} from "./cohort/index.ts";
export {
  type ConsentRegistryEventLike,
  consentEventToChange,
  type MappedConsentEvent,
} from "./consentEventToChange.ts";
export {
  type ConsentIndexOptions,
  createConsentIndex,
  defaultConsentIndexOptions,
} from "./createConsentIndex.ts";
export {
  type ConsentIndexSyncOptions,
  createConsentIndexSync,
  defaultConsentIndexSyncOptions,
} from "./createConsentIndexSync.ts";
export {
  createLevelConsentIndexStore,
  type LevelConsentIndexStore,
  type LevelConsentIndexStoreOptions,
} from "./createLevelConsentIndexStore.ts";
export { createMemoryConsentIndexStore } from "./createMemoryConsentIndexStore.ts";
export {
  PACKED_CONSENT_BYTES,
  packConsentState,
  unpackConsentState,
} from "./packConsentState.ts";
export {
  type ReadConsentState,
  registryConsentReader,
  type SpotCheckMismatch,
  type SpotCheckMismatchKind,
  type SpotCheckReport,
  type SpotCheckSample,
} from "./spotCheck.ts";
export type { SubjectInput } from "./subjectKey.ts";
