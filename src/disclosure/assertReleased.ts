import { CustosError } from "../errors/index.ts";
import type { ReleaseOutcome } from "./releaseTable.ts";

/** The released branch of a {@link ReleaseOutcome}. */
export type Released = Extract<ReleaseOutcome, { status: "released" }>;

/**
 * Turns a refused release into an error, for callers that treat refusal as a violation
 * (e.g. a batch job that must not silently skip a table).
 *
 * @throws CustosError `DISCLOSURE_DIFFERENCING` or `DISCLOSURE_BUDGET_EXCEEDED` for a
 * refused outcome, with the refusal detail and report hash.
 * @example
 * ```ts
 * const { table, reportHash } = assertReleased(await releaseTable(t, policy, ports, request));
 * ```
 */
export function assertReleased(outcome: ReleaseOutcome): Released {
  if (outcome.status === "released") return outcome;
  const detail = outcome.report.refusal?.detail ?? {};
  if (outcome.reason === "differencing") {
    throw new CustosError(
      "DISCLOSURE_DIFFERENCING",
      "cohort differs from an earlier release by fewer subjects than allowed",
      { details: { ...detail, reportHash: outcome.reportHash } },
    );
  }
  throw new CustosError("DISCLOSURE_BUDGET_EXCEEDED", "privacy budget would be exceeded", {
    details: { ...detail, reportHash: outcome.reportHash },
  });
}
