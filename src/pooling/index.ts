/**
 * Pooling of per-hospital released statistics on the researcher's side: pure and
 * deterministic (no I/O, clock or randomness), and independent of the answer order.
 * Suppressed values (`null`) are never filled in: pooled counts become lower bounds and
 * sites are excluded from estimates, and either way the result names the sites.
 */
export { assertEnoughSites } from "./assertEnoughSites.ts";
export { chiSquareUpperTail } from "./chiSquareUpperTail.ts";
export { mantelHaenszel } from "./mantelHaenszel.ts";
export {
  type Heterogeneity,
  type MetaAnalysis,
  metaAnalyse,
  type SiteEstimate,
} from "./metaAnalyse.ts";
export type { NormalEstimate } from "./normalEstimate.ts";
export { oddsRatio } from "./oddsRatio.ts";
export { type PooledCount, poolCounts, type SiteCount } from "./poolCounts.ts";
export {
  type CountCell,
  defaultPoolCountTablesOptions,
  type PoolCountTablesOptions,
  type PooledCell,
  type PooledCountTable,
  poolCountTables,
  type SiteCountTable,
} from "./poolCountTables.ts";
export {
  type PooledHistogram,
  poolHistograms,
  type SiteHistogram,
  type SiteHistogramBin,
} from "./poolHistograms.ts";
export { type PooledMoments, poolMeanVariance, type SiteMoments } from "./poolMeanVariance.ts";
export {
  type ExcludedSite,
  type PooledTwoByTwo,
  poolTwoByTwo,
  type SiteRatio,
  type SiteTwoByTwo,
} from "./poolTwoByTwo.ts";
export { type HistogramBin, quantilesFromHistogram } from "./quantilesFromHistogram.ts";
export type { RatioEstimate, TableRatio } from "./ratioEstimate.ts";
export { riskRatio } from "./riskRatio.ts";
export { isInformative, type RatioMeasure, type TwoByTwoTable } from "./TwoByTwoTable.ts";
