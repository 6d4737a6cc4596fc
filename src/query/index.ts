/**
 * Query specs (`custos/query`): the JSON a researcher submits — a cohort in OHDSI terms and
 * aggregate measures — validated and hashed for the chain, compiled to parameterised SQL
 * joined with the consent allow-list, run through an OMOP store, and released under
 * disclosure control. Builds on `custos/disclosure` and `custos/canonical`.
 *
 * @packageDocumentation
 */
export type { CompileTarget } from "./CompileTarget.ts";
export { type CompiledMeasure, type CompiledQuery, compileQuery } from "./compileQuery.ts";
export {
  canonicalDecimal,
  formatScaledDecimal,
  parseScaledDecimal,
  SUM_SCALE,
} from "./exactDecimal.ts";
export { type DomainTable, genderConcepts, omopDomainTables } from "./omopDomainTables.ts";
export {
  AGE_BAND_CAP,
  dimensionCategories,
  parseQuerySpec,
  querySpecLimits,
} from "./parseQuerySpec.ts";
export type {
  AggregateDimension,
  AttritionStep,
  HistogramBin,
  IncidenceStratum,
  MeasureAggregate,
  QueryAggregates,
  ValueSums,
} from "./QueryAggregates.ts";
export {
  type BinSpec,
  type CohortSpec,
  type ConceptRef,
  type ConceptSet,
  type DayWindow,
  type Dimension,
  type InclusionRule,
  type MeasurementCriterion,
  type MeasurementValue,
  type MeasureSpec,
  type MeasureType,
  type OccurrenceCriterion,
  type OmopDomain,
  omopDomains,
  type QuerySpec,
  type Sex,
  type ValueChoice,
} from "./QuerySpec.ts";
export { querySpecCategories } from "./querySpecCategories.ts";
export { querySpecHash } from "./querySpecHash.ts";
export type {
  QueryDisclosureReport,
  QueryRelease,
  ReleasedAttritionStep,
  ReleasedMeasure,
  ReleasedStatistics,
  StatisticRules,
  WithheldReason,
} from "./ReleasedQueryResult.ts";
export {
  type QueryReleaseRequest,
  type ReleaseRules,
  releaseQueryResult,
} from "./releaseQueryResult.ts";
export {
  type QueryRun,
  type ResolvedConcepts,
  type RunQueryOptions,
  runQuery,
} from "./runQuery.ts";
export type { SqlParamType, SqlStatement } from "./SqlParams.ts";
