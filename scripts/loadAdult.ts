/**
 * Loads the UCI Adult reference data (data/adult/) for the anonymisation tests and benchmark.
 */
import { readFileSync } from "node:fs";
import {
  type AttributeConfig,
  type Hierarchy,
  parseCsv,
  parseHierarchy,
  type Table,
} from "../src/anonymise/index.ts";

const adultDir = new URL("../data/adult/", import.meta.url);

/** The Adult extract with the configuration the anonymisation literature uses for it. */
export interface AdultData {
  /** The 30,162 rows, nine columns. */
  readonly table: Table;
  /** Eight quasi-identifiers with ARX's hierarchies; occupation sensitive. */
  readonly attributes: Record<string, AttributeConfig>;
  /** ARX's hierarchy of every column, occupation included (for all-columns configurations). */
  readonly hierarchies: Record<string, Hierarchy>;
}

/**
 * Reads data/adult/: the extract and one hierarchy per column, parsed afresh on each call.
 *
 * @example
 * ```ts
 * const { table, attributes } = loadAdult();
 * anonymise(table, { attributes, models: [{ type: "k-anonymity", k: 5 }] });
 * ```
 */
export function loadAdult(): AdultData {
  const table = parseCsv(readFileSync(new URL("adult.csv", adultDir), "utf8"), {
    separator: ";",
  });
  const hierarchies: Record<string, Hierarchy> = {};
  const attributes: Record<string, AttributeConfig> = {};
  for (const column of table.columns) {
    const hierarchy = parseHierarchy(
      readFileSync(new URL(`adult_hierarchy_${column}.csv`, adultDir), "utf8"),
    );
    hierarchies[column] = hierarchy;
    attributes[column] =
      column === "occupation" ? { role: "sensitive" } : { role: "quasi-identifier", hierarchy };
  }
  return { table, attributes, hierarchies };
}
