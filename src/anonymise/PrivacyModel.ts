import type { Table } from "./Table.ts";

/** k-anonymity: every released equivalence class has at least `k` records. */
export interface KAnonymityModel {
  readonly type: "k-anonymity";
  readonly k: number;
}

/** Distinct ℓ-diversity: at least `l` distinct sensitive values per class. */
export interface DistinctLDiversityModel {
  readonly type: "distinct-l-diversity";
  readonly attribute: string;
  readonly l: number;
}

/** Entropy ℓ-diversity: the entropy of each class's sensitive values is at least ln(`l`). */
export interface EntropyLDiversityModel {
  readonly type: "entropy-l-diversity";
  readonly attribute: string;
  readonly l: number;
}

/**
 * Recursive (c,ℓ)-diversity: with a class's sensitive-value counts sorted descending,
 * r1 < c·(rℓ + … + rm).
 */
export interface RecursiveCLDiversityModel {
  readonly type: "recursive-cl-diversity";
  readonly attribute: string;
  readonly c: number;
  readonly l: number;
}

/**
 * t-closeness: the Earth Mover's Distance between each class's sensitive distribution and the
 * whole table's is at most `t`. `equal` uses the equal ground distance (half the L1
 * distance); `ordered` the ordered distance over `order` (default: numeric order when every
 * value is a number, otherwise code-unit order).
 */
export interface TClosenessModel {
  readonly type: "t-closeness";
  readonly attribute: string;
  readonly t: number;
  readonly distance: "equal" | "ordered";
  readonly order?: readonly string[];
}

/**
 * Average re-identification risk: released classes / released records (the mean
 * prosecutor risk) is at most `threshold`. When a suppression limit allows it, the smallest
 * classes are suppressed until the threshold is met.
 */
export interface AverageRiskModel {
  readonly type: "average-risk";
  readonly threshold: number;
}

/**
 * k-map against an explicit population (Sweeney; ARX's `KMap` with a research subset): every
 * released equivalence class matches at least `k` records of `population` — a table holding
 * the sample's quasi-identifier columns (by name) whose records are a superset of the sample,
 * e.g. a registry. A population record matches a class when its quasi-identifier values
 * generalise to the class's labels.
 */
export interface KMapPopulationModel {
  readonly type: "k-map";
  readonly k: number;
  readonly population: Table;
}

/**
 * k-map when only the population's size is known: the population class sizes are estimated
 * with the Poisson (D3, Pannekoek 1999) or zero-truncated Poisson (D4) estimator of El Emam
 * & Dankar (JAMIA 2008), as ARX's `KMap` does, which turns the model into k′-anonymity of the
 * sample with k′ ≤ `k` derived from λ = sampling fraction × `k` and `significanceLevel`
 * (see {@link estimateKMapThreshold}). Give exactly one of `populationSize` (records in the
 * population, at least the sample's) and `samplingFraction` (sample / population, in (0, 1]).
 */
export interface KMapEstimatorModel {
  readonly type: "k-map";
  readonly k: number;
  readonly estimator: "poisson" | "zero-truncated-poisson";
  /** Accepted probability that a class meeting k′ has fewer than `k` population records. */
  readonly significanceLevel: number;
  readonly populationSize?: number;
  readonly samplingFraction?: number;
}

/** k-map: each released class stands for at least `k` individuals of the population. */
export type KMapModel = KMapPopulationModel | KMapEstimatorModel;

/** A privacy model the released data must satisfy. */
export type PrivacyModel =
  | KAnonymityModel
  | DistinctLDiversityModel
  | EntropyLDiversityModel
  | RecursiveCLDiversityModel
  | TClosenessModel
  | AverageRiskModel
  | KMapModel;

/** A privacy model about one sensitive attribute. */
export type SensitiveModel =
  | DistinctLDiversityModel
  | EntropyLDiversityModel
  | RecursiveCLDiversityModel
  | TClosenessModel;
