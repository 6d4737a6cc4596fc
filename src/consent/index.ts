export {
  type AccessDecision,
  type DenyReason,
  denyReasons,
} from "./AccessDecision.ts";
export type { ConsentChange, ConsentRecord } from "./ConsentChange.ts";
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
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  coversCategories,
  type DataCategory,
  dataCategories,
  PERMISSION_MASK,
  type PurposeCode,
  type PurposeLabel,
  permitsUse,
  purposeCodes,
} from "./consentCodes.ts";
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
} from "./consentIndex.ts";
export { sha256 } from "./sha256.ts";
export type {
  ReadConsentRecord,
  SpotCheckMismatch,
  SpotCheckMismatchKind,
  SpotCheckReport,
  SpotCheckSample,
} from "./spotCheck.ts";
export type { SubjectInput } from "./subjectKey.ts";
