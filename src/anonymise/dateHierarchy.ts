import { CustosError } from "../errors/index.ts";
import { createHierarchy, type Hierarchy } from "./Hierarchy.ts";

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Builds a date hierarchy over ISO dates (`YYYY-MM-DD`): day, month (`YYYY-MM`), year
 * (`YYYY`), `*`.
 *
 * @throws ANONYMISE_HIERARCHY_INVALID when a value is not a valid ISO calendar date
 *   (naming the value).
 * @example
 * ```ts
 * const admitted = dateHierarchy(["2024-03-07", "2024-11-30"]);
 * ```
 */
export function dateHierarchy(values: readonly string[]): Hierarchy {
  const rows = [...new Set(values)].map((value, row) => {
    const match = isoDate.exec(value);
    const date = match === null ? undefined : new Date(`${value}T00:00:00Z`);
    if (match === null || date === undefined || date.toISOString().slice(0, 10) !== value) {
      throw new CustosError("ANONYMISE_HIERARCHY_INVALID", `value "${value}" is not an ISO date`, {
        details: { value, row: row + 1 },
      });
    }
    return [value, `${match[1]}-${match[2]}`, match[1] as string, "*"];
  });
  return createHierarchy(rows);
}
