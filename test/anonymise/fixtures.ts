import { readFileSync } from "node:fs";
import {
  type AttributeConfig,
  parseCsv,
  parseHierarchy,
  type Table,
} from "../../src/anonymise/index.ts";
import type { ErrorCode } from "../../src/errors/index.ts";
import { isCustosError } from "../../src/errors/index.ts";

export {
  type AnonymiseOptions,
  type AttributeConfig,
  anonymise,
  checkPrivacyModel,
  createHierarchy,
  type PrivacyModel,
  parseCsv,
  type UtilityMetric,
} from "../../src/anonymise/index.ts";

/** Tells whether an error is a CustosError with the given code. */
export function isCustosErrorLike(error: unknown, code: ErrorCode): boolean {
  return isCustosError(error, code);
}

const adultDir = new URL("../../../shared/data/adult/", import.meta.url);

/** The Adult extract and its ARX hierarchies (8 quasi-identifiers, occupation sensitive). */
export function loadAdult(): { table: Table; attributes: Record<string, AttributeConfig> } {
  const table = parseCsv(readFileSync(new URL("adult.csv", adultDir), "utf8"), {
    separator: ";",
  });
  const attributes: Record<string, AttributeConfig> = {};
  for (const column of table.columns) {
    attributes[column] =
      column === "occupation"
        ? { role: "sensitive" }
        : {
            role: "quasi-identifier",
            hierarchy: parseHierarchy(
              readFileSync(new URL(`adult_hierarchy_${column}.csv`, adultDir), "utf8"),
            ),
          };
  }
  return { table, attributes };
}

/** The same hierarchies with every column, occupation included, a quasi-identifier. */
export function adultHierarchy(column: string) {
  return parseHierarchy(readFileSync(new URL(`adult_hierarchy_${column}.csv`, adultDir), "utf8"));
}
