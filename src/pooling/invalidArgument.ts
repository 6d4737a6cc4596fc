import { CustosError } from "../errors/index.ts";

/**
 * Throws `INVALID_ARGUMENT` with details naming the offending field (and the site when the
 * value came from one). Pooling reads statistics released by other hospitals, so every
 * value is checked at run time: a bad one must stop the pooling, never turn into NaN.
 *
 * @throws CustosError `INVALID_ARGUMENT`, always.
 * @example
 * ```ts
 * invalidArgument("n must be a non-negative safe integer", { field: "n", site: "H1" });
 * ```
 */
export function invalidArgument(shortMessage: string, details: Record<string, unknown>): never {
  throw new CustosError("INVALID_ARGUMENT", shortMessage, { details });
}

/**
 * Checks that `value` is a non-negative safe integer (a count or a size).
 *
 * @throws CustosError `INVALID_ARGUMENT` naming `field` and `site`.
 * @example
 * ```ts
 * assertCount(12, "a", "H1");
 * ```
 */
export function assertCount(value: unknown, field: string, site?: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    invalidArgument(`${field} must be a non-negative safe integer`, {
      field,
      ...(site === undefined ? {} : { site }),
      value: String(value),
    });
  }
}

/**
 * Checks that `value` is a finite number.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming `field` and `site`.
 * @example
 * ```ts
 * assertFinite(3.2, "mean", "H1");
 * ```
 */
export function assertFinite(
  value: unknown,
  field: string,
  site?: string,
): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    invalidArgument(`${field} must be a finite number`, {
      field,
      ...(site === undefined ? {} : { site }),
      value: String(value),
    });
  }
}
