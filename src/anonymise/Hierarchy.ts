import { CustosError } from "../errors/index.ts";

/**
 * A generalisation hierarchy in ARX's materialised form: one row per original value, with
 * the value at level 0 and ever coarser labels to the right. Every row has the same number
 * of levels, and a label at one level always generalises to the same label at the next
 * (the hierarchy is a tree), which is what makes full-domain generalisation well defined.
 */
export interface Hierarchy {
  /** `rows[i][level]`; `rows[i][0]` is the original value. */
  readonly rows: readonly (readonly string[])[];
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new CustosError("ANONYMISE_HIERARCHY_INVALID", message, { details });
}

/**
 * Checks that rows form a hierarchy and freezes them: at least one row and one level, equal
 * row lengths, distinct level-0 values, and each label mapping to one parent label.
 *
 * @throws ANONYMISE_HIERARCHY_INVALID naming the offending row (1-based) and value.
 * @example
 * ```ts
 * const sex = createHierarchy([["Male", "*"], ["Female", "*"]]);
 * ```
 */
export function createHierarchy(rows: readonly (readonly string[])[]): Hierarchy {
  const first = rows[0];
  if (first === undefined || first.length === 0) {
    invalid("hierarchy has no rows or no levels", { row: 1 });
  }
  const height = first.length;
  const leaves = new Set<string>();
  const parents: Map<string, string>[] = Array.from({ length: height - 1 }, () => new Map());
  rows.forEach((row, i) => {
    if (row.length !== height) {
      invalid(`hierarchy row ${i + 1} has ${row.length} levels, row 1 has ${height}`, {
        row: i + 1,
        value: row[0],
        levels: row.length,
        expected: height,
      });
    }
    const value = row[0] as string;
    if (leaves.has(value)) {
      invalid(`hierarchy value "${value}" appears twice (row ${i + 1})`, { row: i + 1, value });
    }
    leaves.add(value);
    for (let level = 0; level + 1 < height; level++) {
      const label = row[level] as string;
      const parent = row[level + 1] as string;
      const map = parents[level] as Map<string, string>;
      const known = map.get(label);
      if (known === undefined) map.set(label, parent);
      else if (known !== parent) {
        invalid(
          `hierarchy row ${i + 1}: "${label}" generalises to "${parent}" at level ${level + 1}, earlier to "${known}"`,
          { row: i + 1, value, level: level + 1, label, parent, previous: known },
        );
      }
    }
  });
  return Object.freeze({ rows: Object.freeze(rows.map((row) => Object.freeze([...row]))) });
}
