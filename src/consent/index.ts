export {
  type AccessDecision,
  type DenyReason,
  denyReasons,
} from "./AccessDecision.ts";
export {
  type CohortExecutor,
  createInThreadCohortExecutor,
  type InThreadCohortExecutorOptions,
  throwIfCohortAborted,
} from "./CohortExecutor.ts";
export type { ConsentChange, ConsentState } from "./ConsentChange.ts";
export {
  type ConsentEventRange,
  type ConsentEventSource,
  createRegistryEventSource,
  type RegistryEventSourceOptions,
} from "./ConsentEventSource.ts";
export type {
  ConsentIndexStore,
  StoreCommit,
  StoredConsent,
  StoredSyncPosition,
} from "./ConsentIndexStore.ts";
export {
  type Address,
  type Bytes32,
  type ConsentRecord,
  type ConsentStatus,
  consentStatuses,
  type DiseaseCode,
} from "./ConsentRecord.ts";
export {
  type ConsentWords,
  decodeCategories,
  decodePurposes,
  encodeCategories,
  encodePurposes,
  toConsentWords,
} from "./ConsentWords.ts";
export {
  buildCohortTree,
  COHORT_LEAF_SIZE,
  type CohortHashOptions,
  type CohortInclusionProof,
  type CohortSnapshot,
  type CohortTree,
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
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  coveringPurposesOf,
  coversCategories,
  type DataCategory,
  dataCategories,
  PERMISSION_MASK,
  type PurposeCode,
  type PurposeLabel,
  permitsUse,
  purposeCodes,
  unmetConditionsOf,
} from "./consentCodes.ts";
export {
  type ConsentRegistryEventLike,
  consentEventToChange,
  type MappedConsentEvent,
} from "./consentEventToChange.ts";
export {
  type ConsentFromFhirOptions,
  consentFromFhir,
  type FhirReference,
} from "./consentFromFhir.ts";
export {
  type AccessRequest,
  type ApplyOutcome,
  type ChainPosition,
  type CohortRequest,
  type CohortResult,
  type ConsentIndex,
  type ConsentIndexOptions,
  type ConsentIndexStats,
  type ConsentIndexSyncState,
  createConsentIndex,
  defaultConsentIndexOptions,
  type FilterCohortOptions,
} from "./consentIndex.ts";
export { consentToFhir, type FhirConsent } from "./consentToFhir.ts";
export {
  type ConsentIndexSync,
  type ConsentIndexSyncEvent,
  type ConsentIndexSyncOptions,
  type ConsentIndexSyncStatus,
  createConsentIndexSync,
  defaultConsentIndexSyncOptions,
  type SyncPassResult,
  type SyncTimers,
} from "./createConsentIndexSync.ts";
export {
  createLevelConsentIndexStore,
  type LevelConsentIndexStore,
  type LevelConsentIndexStoreOptions,
} from "./createLevelConsentIndexStore.ts";
export { createMemoryConsentIndexStore } from "./createMemoryConsentIndexStore.ts";
export {
  createWorkerCohortExecutor,
  defaultWorkerCohortExecutorOptions,
  MAX_COHORT_WORKERS,
  type WorkerCohortExecutorOptions,
} from "./createWorkerCohortExecutor.ts";
export {
  fhirSystems,
  omopTableCategory,
  resourceTypeCategories,
  v3PurposeToDuo,
} from "./fhirConsentVocabulary.ts";
export {
  PACKED_CONSENT_BYTES,
  packConsentState,
  unpackConsentState,
} from "./packConsentState.ts";
export { sha256 } from "./sha256.ts";
export {
  type ReadConsentState,
  registryConsentReader,
  type SpotCheckMismatch,
  type SpotCheckMismatchKind,
  type SpotCheckReport,
  type SpotCheckSample,
} from "./spotCheck.ts";
export type { SubjectInput } from "./subjectKey.ts";
export { MAX_CONSENT_TIME, validateConsentRecord } from "./validateConsentRecord.ts";
