import {
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  PERMISSION_MASK,
} from "../../../src/consent/index.ts";
import type { RegistryTerms } from "./decodeRegistryCall.ts";

/**
 * Whether ConsentRegistry's `_checkTerms` accepts `terms`: at least one permission bit and
 * no undefined purpose bit, non-empty categories within the defined ones, and `validUntil`
 * either 0 or after `validFrom`. (The contract's ConsentCodes masks, which src/consent mirrors
 * bit for bit.)
 *
 * @example
 * ```ts
 * validTerms({ purposes: 1, categories: 1, validFrom: 0, validUntil: 0 }); // true
 * ```
 */
export function validTerms(terms: RegistryTerms): boolean {
  const { purposes, categories, validFrom, validUntil } = terms;
  return (
    (purposes & PERMISSION_MASK) !== 0 &&
    (purposes & ~(PERMISSION_MASK | CONDITION_MASK)) === 0 &&
    categories !== 0 &&
    (categories & ~ALL_CATEGORIES_MASK) === 0 &&
    (validUntil === 0 || validUntil > validFrom)
  );
}
