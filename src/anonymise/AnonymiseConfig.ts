import type { Hierarchy } from "./Hierarchy.ts";
import type { PrivacyModel } from "./PrivacyModel.ts";

/** What a column is to the anonymiser. */
export type AttributeConfig =
  /** Directly identifying: removed from the output. */
  | { readonly role: "identifier" }
  /** Linkable: generalised along its hierarchy. */
  | { readonly role: "quasi-identifier"; readonly hierarchy: Hierarchy }
  /** Protected by ℓ-diversity / t-closeness models; released as is. */
  | { readonly role: "sensitive" }
  /** Released as is. */
  | { readonly role: "insensitive" };

/** Utility metric the search minimises. */
export type UtilityMetric = "loss" | "entropy" | "discernibility" | "precision";

/**
 * Search strategy. `optimal` is the pruned lattice search, `exhaustive` evaluates every
 * lattice node (same result, for verification). Heuristic strategies (e.g. Mondrian) extend
 * this union.
 */
export type SearchStrategy = "optimal" | "exhaustive";

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
