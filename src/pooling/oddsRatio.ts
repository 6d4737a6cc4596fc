import type { TableRatio } from "./ratioEstimate.ts";
import { ratioEstimate } from "./ratioEstimate.ts";
import {
  assertTwoByTwoTable,
  continuityCorrected,
  isInformative,
  type TwoByTwoTable,
} from "./TwoByTwoTable.ts";

/**
 * The odds ratio of a 2×2 table, OR = ad / bc, with Woolf's (1955) standard error of its
 * logarithm, √(1/a + 1/b + 1/c + 1/d), and a 95 % interval on the log scale. When a cell is
 * 0 (and only then) 1/2 is added to every cell first, and `corrected` says so.
 *
 * @returns `null` when the table carries no information on the ratio (an empty exposure
 * group, or no events or no non-events at all; see `isInformative`).
 * @throws CustosError `INVALID_ARGUMENT` naming the cell when one is not a non-negative safe
 * integer.
 * @example
 * ```ts
 * oddsRatio({ a: 4, b: 119, c: 11, d: 128 })?.ratio; // 0.391
 * ```
 */
export function oddsRatio(table: TwoByTwoTable): TableRatio | null {
  assertTwoByTwoTable(table, "");
  if (!isInformative(table)) return null;
  const { a, b, c, d, corrected } = continuityCorrected(table);
  return {
    ...ratioEstimate(Math.log((a * d) / (b * c)), Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)),
    corrected,
  };
}
