import { CustosError } from "../errors/index.ts";
import { createHierarchy, type Hierarchy } from "./Hierarchy.ts";

/** Options of {@link intervalHierarchy}. */
export interface IntervalHierarchyOptions {
  /** Interval width per level above 0, strictly increasing, each a multiple of the previous. */
  readonly widths: readonly number[];
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new CustosError("ANONYMISE_HIERARCHY_INVALID", message, { details });
}

function formatBound(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

/**
 * Builds a numeric hierarchy of aligned intervals: with widths `[5, 10]`, `37` becomes
 * `35-39`, then `30-39`, then `*`. Integer values get closed labels (`35-39`), others
 * half-open ones (`[35, 40)`).
 *
 * @throws ANONYMISE_HIERARCHY_INVALID when a value is not a finite number (naming it), or the
 *   widths are not positive, increasing multiples of each other.
 * @example
 * ```ts
 * const age = intervalHierarchy(["17", "39", "90"], { widths: [5, 10, 20] });
 * ```
 */
export function intervalHierarchy(
  values: readonly string[],
  options: IntervalHierarchyOptions,
): Hierarchy {
  const { widths } = options;
  widths.forEach((w, i) => {
    const previous = i === 0 ? undefined : (widths[i - 1] as number);
    if (!(w > 0) || (previous !== undefined && (w <= previous || w % previous !== 0))) {
      invalid(`interval width ${w} at level ${i + 1} must be positive and a multiple of the last`, {
        field: "widths",
        level: i + 1,
        width: w,
      });
    }
  });
  const distinct = [...new Set(values)];
  const numbers = distinct.map((value, row) => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(n)) invalid(`value "${value}" is not a number`, { value, row: row + 1 });
    return n;
  });
  const integral = numbers.every((n) => Number.isInteger(n)) && widths.every(Number.isInteger);
  const rows = distinct.map((value, i) => {
    const n = numbers[i] as number;
    const labels = widths.map((w) => {
      const low = Math.floor(n / w) * w;
      return integral
        ? `${formatBound(low)}-${formatBound(low + w - 1)}`
        : `[${formatBound(low)}, ${formatBound(low + w)})`;
    });
    return [value, ...labels, "*"];
  });
  return createHierarchy(rows);
}
