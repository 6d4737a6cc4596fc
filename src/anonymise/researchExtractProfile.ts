import { CustosError } from "../errors/index.ts";
import type { AnonymiseOptions, SearchStrategy } from "./AnonymiseConfig.ts";
import type { PrivacyModel } from "./PrivacyModel.ts";

/** Options of {@link researchExtractProfile}. */
export interface ResearchExtractOptions {
  /** Minimum class size; at least {@link researchExtractDefaults}.k. */
  readonly k?: number;
  /** Fraction of records that may be suppressed, in [0, 1]. */
  readonly suppressionLimit?: number;
  /** Search strategy (Mondrian for inputs too large for the lattice). */
  readonly search?: SearchStrategy;
}

/**
 * The research-extract policy: classes of at least 11 records (the minimum cell size of
 * CMS and PCORnet releases), up to 5 % of records suppressed, optimal full-domain search.
 */
export const researchExtractDefaults = {
  k: 11,
  suppressionLimit: 0.05,
  search: "optimal",
} as const satisfies Required<ResearchExtractOptions>;

/**
 * The "research extract" profile: applies the research-extract policy on top of a
 * configuration (attribute roles and hierarchies, possibly from
 * {@link safeHarborProfile}): every k-anonymity model is raised to at least `k` (one is
 * added if there is none), other models are kept, and the suppression limit and search are
 * set.
 *
 * @throws ANONYMISE_CONFIG_INVALID when `k` is not an integer ≥ 11 (field `k`).
 * @example
 * ```ts
 * const result = anonymise(table, researchExtractProfile({ attributes, models: [] }));
 * result.risk.classes.minSize; // ≥ 11
 * ```
 */
export function researchExtractProfile(
  base: Pick<AnonymiseOptions, "attributes"> & Partial<AnonymiseOptions>,
  options: ResearchExtractOptions = {},
): AnonymiseOptions {
  const k = options.k ?? researchExtractDefaults.k;
  if (!Number.isInteger(k) || k < researchExtractDefaults.k) {
    throw new CustosError(
      "ANONYMISE_CONFIG_INVALID",
      `the research-extract profile needs k to be an integer ≥ ${researchExtractDefaults.k}`,
      { details: { field: "k", value: k } },
    );
  }
  const models: PrivacyModel[] = (base.models ?? []).map((model) =>
    model.type === "k-anonymity" ? { ...model, k: Math.max(model.k, k) } : model,
  );
  if (!models.some((model) => model.type === "k-anonymity")) {
    models.unshift({ type: "k-anonymity", k });
  }
  return {
    ...base,
    models,
    suppressionLimit: options.suppressionLimit ?? researchExtractDefaults.suppressionLimit,
    search: options.search ?? researchExtractDefaults.search,
  };
}
