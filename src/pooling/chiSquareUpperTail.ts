import { assertFinite, invalidArgument } from "./invalidArgument.ts";
import { regularisedGammaQ } from "./regularisedGammaQ.ts";

/**
 * The upper tail P(X ≥ x) of a chi-square distribution with `df` degrees of freedom:
 * Q(df/2, x/2), the regularised upper incomplete gamma function. Used for the p-value of
 * Cochran's Q (df = k − 1). Accurate to about 1e-14 absolute, and small tails keep their
 * relative precision.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field for `x` not a finite number ≥ 0
 * or `df` not a positive safe integer.
 * @example
 * ```ts
 * chiSquareUpperTail(3.841458820694124, 1); // 0.05
 * ```
 */
export function chiSquareUpperTail(x: number, df: number): number {
  assertFinite(x, "x");
  if (x < 0) invalidArgument("x must be >= 0", { field: "x", value: x });
  if (!Number.isSafeInteger(df) || df < 1) {
    invalidArgument("df must be a positive safe integer", { field: "df", value: String(df) });
  }
  return regularisedGammaQ(df / 2, x / 2);
}
