export { assertReleased, type Released } from "./assertReleased.ts";
export {
  type AuditFinding,
  type AuditOptions,
  auditSuppression,
  type SuppressionAudit,
} from "./auditSuppression.ts";
export { type CellStatus, cellStatus } from "./cellStatus.ts";
export {
  checkDifferencing,
  type DifferencingDecision,
  symmetricDifferenceSize,
} from "./checkDifferencing.ts";
export {
  assertCountTable,
  type CountTable,
  type CountTableInput,
  createCountTable,
  type Dimension,
} from "./createCountTable.ts";
export {
  type CryptoRandomSourceOptions,
  createCryptoRandomSource,
} from "./createCryptoRandomSource.ts";
export { createInMemoryDifferencingStore } from "./createInMemoryDifferencingStore.ts";
export {
  createInMemoryPrivacyBudgetStore,
  defaultInMemoryPrivacyBudgetStoreOptions,
  type InMemoryPrivacyBudgetStoreOptions,
} from "./createInMemoryPrivacyBudgetStore.ts";
export type { DifferencingStore } from "./DifferencingStore.ts";
export {
  type DisclosureReport,
  disclosureRuleVersions,
  type ReportCoordinate,
  type ReportNoise,
  type ReportPolicy,
  type ReportRequest,
} from "./DisclosureReport.ts";
export {
  coordinatesOf,
  type Hypercube,
  hypercubeCorners,
  hypercubeWidth,
} from "./hypercubeWidth.ts";
export type { BudgetCharge, PrivacyBudgetStore } from "./PrivacyBudgetStore.ts";
export { type PrivacyCost, privacyCost, zcdpToEpsilonMicro } from "./privacyCost.ts";
export type { RandomSource } from "./RandomSource.ts";
export { type Rational, rational } from "./Rational.ts";
export {
  type ReleasedTable,
  type ReleaseOutcome,
  type ReleasePorts,
  type ReleaseRequest,
  releaseTable,
} from "./releaseTable.ts";
export {
  type DisclosurePolicy,
  type DisclosurePolicyInput,
  defaultDisclosurePolicy,
  microEpsilonPerEpsilon,
  type NoisePolicy,
  type RoundingPolicy,
  resolveDisclosurePolicy,
} from "./resolveDisclosurePolicy.ts";
export { roundCount } from "./roundCount.ts";
export {
  type ComplementaryOptions,
  type ComplementaryResult,
  suppressComplementary,
} from "./suppressComplementary.ts";
export { suppressPrimary } from "./suppressPrimary.ts";
export { type CohortInput, cohortFromBitset, toCohort } from "./toCohort.ts";
