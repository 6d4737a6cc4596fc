export {
  type AnonymiseConfig,
  type AnonymiseOptions,
  type AttributeConfig,
  defaultAnonymiseConfig,
  type QuasiIdentifierConfig,
  type SearchStrategy,
  type UtilityMetric,
} from "./AnonymiseConfig.ts";
export { type AnonymiseResult, anonymise } from "./anonymise.ts";
export {
  type CheckPrivacyModelOptions,
  checkPrivacyModel,
  type PrivacyModelCheck,
} from "./checkPrivacyModel.ts";
export { dateHierarchy } from "./dateHierarchy.ts";
export { estimateKMapThreshold, type KMapEstimate } from "./estimateKMapThreshold.ts";
export { formatCsv } from "./formatCsv.ts";
export { createHierarchy, type Hierarchy } from "./Hierarchy.ts";
export { type IntervalHierarchyOptions, intervalHierarchy } from "./intervalHierarchy.ts";
export {
  defaultMaskingHierarchyOptions,
  type MaskingHierarchyOptions,
  maskingHierarchy,
} from "./maskingHierarchy.ts";
export type {
  AverageRiskModel,
  DistinctLDiversityModel,
  EntropyLDiversityModel,
  KAnonymityModel,
  KMapEstimatorModel,
  KMapModel,
  KMapPopulationModel,
  PrivacyModel,
  RecursiveCLDiversityModel,
  SensitiveModel,
  TClosenessModel,
} from "./PrivacyModel.ts";
export { parseCsv } from "./parseCsv.ts";
export { type CsvOptions, defaultCsvOptions, parseCsvRows } from "./parseCsvRows.ts";
export { parseHierarchy } from "./parseHierarchy.ts";
export {
  type ResearchExtractOptions,
  researchExtractDefaults,
  researchExtractProfile,
} from "./researchExtractProfile.ts";
export { resolveAnonymiseDocument } from "./resolveAnonymiseDocument.ts";
export {
  type AttackerRisk,
  type ClassStatistics,
  computeRiskReport,
  type PopulationRisk,
  type RiskReport,
} from "./riskReport.ts";
export {
  defaultSafeHarborModels,
  SAFE_HARBOR_ZIP3_MIN_POPULATION,
  type SafeHarborAttribute,
  type SafeHarborIdentifier,
  type SafeHarborOptions,
  safeHarborIdentifierClasses,
  safeHarborProfile,
} from "./safeHarborProfile.ts";
export { cellValue, type Table } from "./Table.ts";
export type { UtilityReport } from "./UtilityReport.ts";
export {
  type AnonymiseDocument,
  type AttributeDocument,
  documentFiles,
  type HierarchyDocument,
  type KMapPopulationDocument,
  type PrivacyModelDocument,
  type ProfileName,
  validateAnonymiseDocument,
} from "./validateAnonymiseDocument.ts";
export {
  createZip3PopulationTable,
  sampleZip3PopulationTable,
  type Zip3PopulationTable,
} from "./Zip3PopulationTable.ts";
