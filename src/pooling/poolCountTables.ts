import { assertCount, invalidArgument } from "./invalidArgument.ts";
import { poolCounts, type SiteCount } from "./poolCounts.ts";
import { sortedSites } from "./sortedSites.ts";

/** One cell of a released table: its category tuple and its count (`null` if suppressed). */
export interface CountCell {
  /** One category label per dimension, e.g. `["F", "65+"]`; a histogram bin is a 1-tuple. */
  readonly key: readonly string[];
  /** The released count (possibly rounded), or `null` if suppressed. */
  readonly count: number | null;
}

/** One site's released table, as a list of cells in any order. */
export interface SiteCountTable {
  /** The answering site (hospital) id. */
  readonly site: string;
  /** The cells; each key at most once. */
  readonly cells: readonly CountCell[];
}

/** One cell of a pooled table. */
export interface PooledCell {
  /** The cell's category tuple. */
  readonly key: readonly string[];
  /** Sum over sites; a lower bound when `complete` is false. */
  readonly value: number;
  /** True when no site suppressed this cell. */
  readonly complete: boolean;
  /** Sites that suppressed this cell, sorted by id. */
  readonly suppressedSites: readonly string[];
}

/** A table summed over sites, cell by cell. */
export interface PooledCountTable {
  /** Pooled cells, in order of first appearance (sites visited in id order). */
  readonly cells: readonly PooledCell[];
  /** True when no site suppressed any cell. */
  readonly complete: boolean;
  /** Every site that answered, sorted by id. */
  readonly sites: readonly string[];
  /** Sites that suppressed at least one cell, sorted by id. */
  readonly suppressedSites: readonly string[];
}

/** Options of {@link poolCountTables}. */
export interface PoolCountTablesOptions {
  /**
   * What a key missing from a site's table means. `"reject"` (default): every site must
   * list the same keys, as when the query fixes the categories, so a missing cell is an
   * error rather than a silent zero. `"zero"`: a missing key counts 0, as for a group-by
   * over observed values where a site omits categories it has no patients in.
   */
  readonly absentCells: "reject" | "zero";
}

/** Defaults of {@link PoolCountTablesOptions}. */
export const defaultPoolCountTablesOptions: PoolCountTablesOptions = { absentCells: "reject" };

/**
 * Pools count tables (frequency tables, cross tabulations, histograms) by summing each cell
 * over sites, with the rules of {@link poolCounts} per cell. Cells are aligned by their
 * category tuple, never by position, so sites may list cells in any order. A suppressed
 * cell makes that pooled cell a lower bound and is named in its `suppressedSites`.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field and site for a malformed site id,
 * a cells field that is not an array, a key that is not a non-empty array of strings (or of
 * another width than the first key), a key listed twice by a site, a bad count, a sum beyond
 * 2^53 − 1, or (with `absentCells: "reject"`) a key some site does not list.
 * @example
 * ```ts
 * poolCountTables([
 *   { site: "H1", cells: [{ key: ["F"], count: 40 }, { key: ["M"], count: 38 }] },
 *   { site: "H2", cells: [{ key: ["M"], count: null }, { key: ["F"], count: 25 }] },
 * ]).cells;
 * // [{ key: ["F"], value: 65, complete: true, … }, { key: ["M"], value: 38, complete: false, … }]
 * ```
 */
export function poolCountTables(
  sites: readonly SiteCountTable[],
  options: Partial<PoolCountTablesOptions> = {},
): PooledCountTable {
  const { absentCells } = { ...defaultPoolCountTablesOptions, ...options };
  if (absentCells !== "reject" && absentCells !== "zero") {
    invalidArgument('absentCells must be "reject" or "zero"', {
      field: "options.absentCells",
      value: String(absentCells),
    });
  }
  const ordered = sortedSites(sites, "sites");
  // JSON of the tuple is an unambiguous identity for a list of strings.
  const keys = new Map<string, readonly string[]>();
  let width: number | undefined;
  const countsBySite = ordered.map(({ site, cells }) => {
    if (!Array.isArray(cells)) invalidArgument("cells must be an array", { field: "cells", site });
    const counts = new Map<string, number | null>();
    cells.forEach((cell: CountCell, index) => {
      const key: unknown = cell?.key;
      const field = `cells[${index}].key`;
      if (!Array.isArray(key) || key.length === 0 || !key.every((k) => typeof k === "string")) {
        invalidArgument(`${field} must be a non-empty array of strings`, { field, site });
      }
      width ??= key.length;
      if (key.length !== width) {
        invalidArgument(`${field} must have ${width} categories`, { field, site, key });
      }
      const id = JSON.stringify(key);
      if (counts.has(id)) invalidArgument(`${field} is listed twice`, { field, site, key });
      if (cell.count !== null) assertCount(cell.count, `cells[${index}].count`, site);
      counts.set(id, cell.count);
      if (!keys.has(id)) keys.set(id, [...key]);
    });
    return { site, counts };
  });
  const pooledCells = [...keys].map(([id, key]): PooledCell => {
    const perSite = countsBySite.map(({ site, counts }): SiteCount => {
      const count = counts.get(id);
      if (count !== undefined) return { site, count };
      if (absentCells === "zero") return { site, count: 0 };
      return invalidArgument("every site must list the same cells", {
        field: "cells",
        site,
        key,
        rule: "sameCategories",
      });
    });
    const { value, complete, suppressedSites } = poolCounts(perSite);
    return { key, value, complete, suppressedSites };
  });
  const suppressed = new Set(pooledCells.flatMap((cell) => cell.suppressedSites));
  return {
    cells: pooledCells,
    complete: suppressed.size === 0,
    sites: ordered.map((entry) => entry.site),
    suppressedSites: ordered.map((entry) => entry.site).filter((site) => suppressed.has(site)),
  };
}
