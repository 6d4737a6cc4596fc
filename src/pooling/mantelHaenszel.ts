import { invalidArgument } from "./invalidArgument.ts";
import { type RatioEstimate, ratioEstimate } from "./ratioEstimate.ts";
import {
  assertRatioMeasure,
  assertTwoByTwoTable,
  type RatioMeasure,
  type TwoByTwoTable,
} from "./TwoByTwoTable.ts";

/**
 * The Mantel–Haenszel (1959) pooled odds ratio or risk ratio of stratified 2×2 tables (one
 * stratum per site), with a 95 % interval from the variance of its logarithm:
 *
 * - odds ratio: OR_MH = Σ(aᵢdᵢ/nᵢ) / Σ(bᵢcᵢ/nᵢ), variance by Robins, Breslow & Greenland
 *   (1986): with Pᵢ = (aᵢ + dᵢ)/nᵢ, Qᵢ = (bᵢ + cᵢ)/nᵢ, Rᵢ = aᵢdᵢ/nᵢ, Sᵢ = bᵢcᵢ/nᵢ, R = ΣRᵢ,
 *   S = ΣSᵢ: ΣPᵢRᵢ/(2R²) + Σ(PᵢSᵢ + QᵢRᵢ)/(2RS) + ΣQᵢSᵢ/(2S²);
 * - risk ratio: RR_MH = Σ(aᵢ(cᵢ + dᵢ)/nᵢ) / Σ(cᵢ(aᵢ + bᵢ)/nᵢ), variance by Greenland &
 *   Robins (1985): Σ[(aᵢ + bᵢ)(cᵢ + dᵢ)(aᵢ + cᵢ) − aᵢcᵢnᵢ]/nᵢ² divided by the product of
 *   the two sums of the estimate.
 *
 * Both variances are consistent for many small strata as well as few large ones, which is
 * why the estimate needs no continuity correction: zero cells are used as they are, and a
 * table with nᵢ = 0 contributes nothing.
 *
 * @returns `null` when the ratio or its variance is undefined: no table adds to the
 * numerator or to the denominator (e.g. no exposed events anywhere), or the variance is 0.
 * @throws CustosError `INVALID_ARGUMENT` naming `measure` or the cell (`tables[i].a` …).
 * @example
 * ```ts
 * mantelHaenszel(
 *   [
 *     { a: 4, b: 119, c: 11, d: 128 },
 *     { a: 6, b: 300, c: 29, d: 274 },
 *   ],
 *   "oddsRatio",
 * )?.ratio; // ≈ 0.241
 * ```
 */
export function mantelHaenszel(
  tables: readonly TwoByTwoTable[],
  measure: RatioMeasure,
): RatioEstimate | null {
  assertRatioMeasure(measure);
  if (!Array.isArray(tables)) invalidArgument("tables must be an array", { field: "tables" });
  tables.forEach((table, index) => {
    assertTwoByTwoTable(table, `tables[${index}].`);
  });
  const strata = tables.filter(({ a, b, c, d }) => a + b + c + d > 0);
  return measure === "oddsRatio" ? oddsRatioMH(strata) : riskRatioMH(strata);
}

function oddsRatioMH(tables: readonly TwoByTwoTable[]): RatioEstimate | null {
  let r = 0;
  let s = 0;
  let pr = 0;
  let psQr = 0;
  let qs = 0;
  for (const { a, b, c, d } of tables) {
    const n = a + b + c + d;
    const ri = (a * d) / n;
    const si = (b * c) / n;
    const pi = (a + d) / n;
    const qi = (b + c) / n;
    r += ri;
    s += si;
    pr += pi * ri;
    psQr += pi * si + qi * ri;
    qs += qi * si;
  }
  if (r === 0 || s === 0) return null;
  const variance = pr / (2 * r * r) + psQr / (2 * r * s) + qs / (2 * s * s);
  return ratioEstimate(Math.log(r / s), Math.sqrt(variance));
}

function riskRatioMH(tables: readonly TwoByTwoTable[]): RatioEstimate | null {
  let numerator = 0;
  let denominator = 0;
  let varianceSum = 0;
  for (const { a, b, c, d } of tables) {
    const n = a + b + c + d;
    numerator += (a * (c + d)) / n;
    denominator += (c * (a + b)) / n;
    varianceSum += ((a + b) * (c + d) * (a + c) - a * c * n) / (n * n);
  }
  if (numerator === 0 || denominator === 0 || !(varianceSum > 0)) return null;
  const variance = varianceSum / (numerator * denominator);
  return ratioEstimate(Math.log(numerator / denominator), Math.sqrt(variance));
}
