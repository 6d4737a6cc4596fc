import type { TableRatio } from "./ratioEstimate.ts";
import { ratioEstimate } from "./ratioEstimate.ts";
import {
  assertTwoByTwoTable,
  continuityCorrected,
  isInformative,
  type TwoByTwoTable,
} from "./TwoByTwoTable.ts";

/**
 * The risk ratio of a 2×2 table, RR = [a/(a + b)] / [c/(c + d)], with the standard error of
 * its logarithm √(1/a − 1/(a + b) + 1/c − 1/(c + d)) (Katz et al. 1978, the delta method
 * analogue of Woolf's for the odds ratio) and a 95 % interval on the log scale. When a cell
 * is 0 (and only then) 1/2 is added to every cell first, and `corrected` says so.
 *
 * @returns `null` when the table carries no information on the ratio (an empty exposure
 * group, or no events or no non-events at all; see `isInformative`).
 * @throws CustosError `INVALID_ARGUMENT` naming the cell when one is not a non-negative safe
 * integer.
 * @example
 * ```ts
 * riskRatio({ a: 4, b: 119, c: 11, d: 128 })?.ratio; // 0.411
 * ```
 */
export function riskRatio(table: TwoByTwoTable): TableRatio | null {
  assertTwoByTwoTable(table, "");
  if (!isInformative(table)) return null;
  const { a, b, c, d, corrected } = continuityCorrected(table);
  const exposed = a + b;
  const unexposed = c + d;
  // b/(a(a+b)) is 1/a − 1/(a+b) without the cancellation when b is small next to a.
  return {
    ...ratioEstimate(
      Math.log(a / exposed / (c / unexposed)),
      Math.sqrt(b / (a * exposed) + d / (c * unexposed)),
    ),
    corrected,
  };
}
