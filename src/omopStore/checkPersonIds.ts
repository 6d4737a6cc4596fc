import { CustosError } from "../errors/index.ts";

/**
 * Checks that every allowed person id is an integer a `bigint` column holds exactly, before
 * any reaches the database. The error gives the position, never the value: it is a person id.
 *
 * @throws CustosError `INVALID_ARGUMENT` with `details.index` of the first bad id.
 * @example
 * ```ts
 * checkPersonIds(new Float64Array([1, 2, 3])); // passes
 * checkPersonIds([1, 2.5]); // throws INVALID_ARGUMENT, details.index 1
 * ```
 */
export function checkPersonIds(personIds: readonly number[] | Float64Array): void {
  for (let index = 0; index < personIds.length; index++) {
    if (!Number.isSafeInteger(personIds[index])) {
      throw new CustosError("INVALID_ARGUMENT", `person id at index ${index} is not an integer`, {
        details: { index },
      });
    }
  }
}
