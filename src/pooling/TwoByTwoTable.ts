import { assertCount, invalidArgument } from "./invalidArgument.ts";

/**
 * A 2×2 table of exposure by outcome:
 *
 * |             | outcome | no outcome |
 * | ----------- | ------- | ---------- |
 * | exposed     | a       | b          |
 * | not exposed | c       | d          |
 */
export interface TwoByTwoTable {
  /** Exposed with the outcome. */
  readonly a: number;
  /** Exposed without the outcome. */
  readonly b: number;
  /** Not exposed with the outcome. */
  readonly c: number;
  /** Not exposed without the outcome. */
  readonly d: number;
}

/** The ratio measures computed from 2×2 tables. */
export type RatioMeasure = "oddsRatio" | "riskRatio";

/**
 * Checks that a 2×2 table's four cells are non-negative safe integers.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the cell (`a` … `d` after `prefix`, e.g.
 * `tables[2].a`) and the site.
 * @example
 * ```ts
 * assertTwoByTwoTable({ a: 4, b: 119, c: 11, d: 128 }, "", "H1");
 * ```
 */
export function assertTwoByTwoTable(table: TwoByTwoTable, prefix: string, site?: string): void {
  if (typeof table !== "object" || table === null) {
    invalidArgument("a 2×2 table must be an object", {
      field: prefix === "" ? "table" : prefix.slice(0, -1),
      ...(site === undefined ? {} : { site }),
    });
  }
  for (const cell of ["a", "b", "c", "d"] as const)
    assertCount(table[cell], `${prefix}${cell}`, site);
}

/**
 * Checks a measure name.
 *
 * @throws CustosError `INVALID_ARGUMENT` with field `measure` unless it is `"oddsRatio"` or
 * `"riskRatio"`.
 * @example
 * ```ts
 * assertRatioMeasure("riskRatio");
 * ```
 */
export function assertRatioMeasure(measure: RatioMeasure): void {
  if (measure !== "oddsRatio" && measure !== "riskRatio") {
    invalidArgument('measure must be "oddsRatio" or "riskRatio"', {
      field: "measure",
      value: String(measure),
    });
  }
}

/**
 * Tells whether a table carries information on an odds or risk ratio: both exposure groups
 * are non-empty and both outcomes occur. Without this, the ratio is 0/0 (no events, or no
 * non-events: the Cochrane Handbook §10.4.4 excludes such "double-zero" studies) or
 * compares against an empty group, and a continuity correction would only manufacture an
 * estimate out of the added halves.
 *
 * @example
 * ```ts
 * isInformative({ a: 0, b: 50, c: 0, d: 48 }); // false: no events at all
 * ```
 */
export function isInformative({ a, b, c, d }: TwoByTwoTable): boolean {
  return a + b > 0 && c + d > 0 && a + c > 0 && b + d > 0;
}

/**
 * The table used for a per-table estimate: unchanged when no cell is 0, otherwise with 1/2
 * added to every cell (Haldane–Anscombe), so the log ratio and its Woolf or Katz variance are
 * finite. This is metafor's default (`add = 1/2, to = "only0"`); tables without zeros are
 * never corrected, as a correction biases the estimate towards 1.
 *
 * @example
 * ```ts
 * continuityCorrected({ a: 0, b: 20, c: 3, d: 17 }); // { a: 0.5, b: 20.5, c: 3.5, d: 17.5, corrected: true }
 * ```
 */
export function continuityCorrected(
  table: TwoByTwoTable,
): TwoByTwoTable & { readonly corrected: boolean } {
  const { a, b, c, d } = table;
  if (a > 0 && b > 0 && c > 0 && d > 0) return { a, b, c, d, corrected: false };
  return { a: a + 0.5, b: b + 0.5, c: c + 0.5, d: d + 0.5, corrected: true };
}
