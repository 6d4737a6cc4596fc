import { invalidArgument } from "./invalidArgument.ts";

/**
 * Enforces the minimum-sites rule: a pooled result is released only when at least `minimum`
 * sites contributed to it. With fewer sites a pooled figure is close to one hospital's own
 * figure (or, with the other sites' answers known, reveals it by subtraction), so it would
 * bypass that hospital's disclosure control. Count the sites whose values entered the
 * figure (a result's `sites`), not the ones excluded for suppression.
 *
 * @throws CustosError `INVALID_ARGUMENT` with details `{ rule: "minimumSites", answered,
 * minimum }` when `answered < minimum`; `INVALID_ARGUMENT` naming the field when `answered`
 * is not a non-negative safe integer or `minimum` not a positive one.
 * @example
 * ```ts
 * const pooled = poolMeanVariance(answers);
 * assertEnoughSites(pooled.sites.length, 3);
 * ```
 */
export function assertEnoughSites(answered: number, minimum: number): void {
  if (!Number.isSafeInteger(minimum) || minimum < 1) {
    invalidArgument("minimum must be a positive safe integer", {
      field: "minimum",
      value: String(minimum),
    });
  }
  if (!Number.isSafeInteger(answered) || answered < 0) {
    invalidArgument("answered must be a non-negative safe integer", {
      field: "answered",
      value: String(answered),
    });
  }
  if (answered < minimum) {
    invalidArgument(`pooled results need at least ${minimum} sites, ${answered} answered`, {
      rule: "minimumSites",
      answered,
      minimum,
    });
  }
}
