import { createHierarchy, type Hierarchy } from "./Hierarchy.ts";
import { type CsvOptions, parseCsvRows } from "./parseCsvRows.ts";

/**
 * Parses a hierarchy in ARX's CSV format: no header, one row per value, level 0 first and
 * the most general label (usually `*`) last, e.g. `39;35-39;30-39;*`.
 *
 * @throws ANONYMISE_CSV_INVALID when the CSV itself is malformed.
 * @throws ANONYMISE_HIERARCHY_INVALID when the rows do not form a hierarchy.
 * @example
 * ```ts
 * const sex = parseHierarchy("Male;*\nFemale;*", { separator: ";" });
 * ```
 */
export function parseHierarchy(text: string, options: CsvOptions = { separator: ";" }): Hierarchy {
  return createHierarchy(parseCsvRows(text, options));
}
