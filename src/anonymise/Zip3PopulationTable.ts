import { CustosError } from "../errors/index.ts";

/**
 * Population of the geographic units formed by all ZIP codes sharing their first three
 * digits, as HIPAA Safe Harbor's ZIP rule needs (45 CFR 164.514(b)(2)(i)(B)). Pluggable:
 * production deployments build one from current U.S. Census Bureau data.
 */
export interface Zip3PopulationTable {
  /** Population of the 3-digit area, or undefined when the table does not know it. */
  population(zip3: string): number | undefined;
}

/**
 * Creates a population table from `zip3 → population` entries.
 *
 * @throws INVALID_ARGUMENT when a key is not three digits or a population is not a
 *   non-negative integer (naming the entry).
 * @example
 * ```ts
 * const table = createZip3PopulationTable({ "123": 45_000 });
 * table.population("123"); // 45000
 * ```
 */
export function createZip3PopulationTable(
  entries: Readonly<Record<string, number>>,
): Zip3PopulationTable {
  const map = new Map<string, number>();
  for (const [zip3, population] of Object.entries(entries)) {
    if (!/^\d{3}$/.test(zip3)) {
      throw new CustosError("INVALID_ARGUMENT", `ZIP3 key "${zip3}" is not three digits`, {
        details: { field: "zip3", zip3 },
      });
    }
    if (!Number.isInteger(population) || population < 0) {
      throw new CustosError(
        "INVALID_ARGUMENT",
        `population of ZIP3 "${zip3}" must be a non-negative integer`,
        { details: { field: "population", zip3, population } },
      );
    }
    map.set(zip3, population);
  }
  return { population: (zip3) => map.get(zip3) };
}

/**
 * SAMPLE DATA FOR TESTS AND EXAMPLES ONLY — FICTIONAL round figures, NOT census counts.
 * It only exercises both sides of the 20,000 threshold; never use it on real records.
 *
 * - `"100"`: 1,000,000 (kept)
 * - `"200"`: 20,001 (kept: above 20,000)
 * - `"300"`: 20,000 (→ `000`: not above 20,000)
 * - `"400"`: 5,000 (→ `000`)
 */
export const sampleZip3PopulationTable: Zip3PopulationTable = createZip3PopulationTable({
  "100": 1_000_000,
  "200": 20_001,
  "300": 20_000,
  "400": 5_000,
});
