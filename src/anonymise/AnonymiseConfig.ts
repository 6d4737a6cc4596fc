import type { Hierarchy } from "./Hierarchy.ts";
import type { PrivacyModel } from "./PrivacyModel.ts";

/**
 * A quasi-identifier: generalised along its hierarchy, between `minLevel` (default 0) and
 * `maxLevel` (default the top) inclusive, as ARX's minimum/maximum generalisation. Fixing
 * both pins a transformation (profiles use it for rule-based recodings).
 *
 * Mondrian splits a quasi-identifier as a numeric `range` when every hierarchy value is a
 * number and no level bound is set, otherwise along the `hierarchy`; `split` overrides that.
 */
export interface QuasiIdentifierConfig {
  readonly role: "quasi-identifier";
  readonly hierarchy: Hierarchy;
  readonly minLevel?: number;
  readonly maxLevel?: number;
  readonly split?: "range" | "hierarchy";
}

/** What a column is to the anonymiser. */
export type AttributeConfig =
  /** Directly identifying: removed from the output. */
  | { readonly role: "identifier" }
  /** Linkable: generalised along its hierarchy. */
  | QuasiIdentifierConfig
  /** Protected by ℓ-diversity / t-closeness models; released as is. */
  | { readonly role: "sensitive" }
  /** Released as is. */
  | { readonly role: "insensitive" };

/** Utility metric the search minimises. */
export type UtilityMetric = "loss" | "entropy" | "discernibility" | "precision";

/**
 * Search strategy. `optimal` is the pruned lattice search, `exhaustive` evaluates every
 * lattice node (same result, for verification); both are full-domain generalisation.
 * `mondrian` is strict multidimensional local recoding (LeFevre et al., ICDE 2006): a
 * heuristic for many quasi-identifiers or many rows, with no optimality guarantee.
 */
export type SearchStrategy = "optimal" | "exhaustive" | "mondrian";

/** Configuration of {@link anonymise}. */
export interface AnonymiseConfig {
  /** A role for every column of the table, by column name. */
  readonly attributes: Readonly<Record<string, AttributeConfig>>;
  /** Models the output must satisfy (all of them); at least one. */
  readonly models: readonly PrivacyModel[];
  /** Fraction of records that may be suppressed, in [0, 1]. */
  readonly suppressionLimit: number;
  /** Metric to minimise. */
  readonly metric: UtilityMetric;
  /** Search strategy. */
  readonly search: SearchStrategy;
  /** Largest lattice the optimal search accepts (nodes). */
  readonly maxLatticeNodes: number;
  /**
   * Called with the fraction of the search done, in [0, 1], a few hundred times at most and
   * with 1 at the end. For progress display only.
   */
  readonly onProgress?: (fraction: number) => void;
}

/** Defaults: ARX's — Loss metric, no suppression, optimal search. */
export const defaultAnonymiseConfig = {
  suppressionLimit: 0,
  metric: "loss",
  search: "optimal",
  maxLatticeNodes: 1 << 22,
} as const satisfies Partial<AnonymiseConfig>;

/** {@link AnonymiseConfig} with defaults optional. */
export type AnonymiseOptions = Pick<AnonymiseConfig, "attributes" | "models"> &
  Partial<Omit<AnonymiseConfig, "attributes" | "models">>;
