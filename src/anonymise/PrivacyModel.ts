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

/** A privacy model the released data must satisfy. */
export type PrivacyModel =
  | KAnonymityModel
  | DistinctLDiversityModel
  | EntropyLDiversityModel
  | RecursiveCLDiversityModel
  | TClosenessModel
  | AverageRiskModel;

/** A privacy model about one sensitive attribute. */
export type SensitiveModel =
  | DistinctLDiversityModel
  | EntropyLDiversityModel
  | RecursiveCLDiversityModel
  | TClosenessModel;
