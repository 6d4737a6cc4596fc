import { ALL_CATEGORIES_MASK, CONDITION_MASK, PERMISSION_MASK } from "../consent/index.ts";
import { recordStatus, rowLayout } from "./SubjectTable.ts";

/**
 * Why access was denied. Subject-level reasons mirror the contract's `isPermitted` rules in
 * the order they are checked; index-level reasons make the index fail closed.
 *
 * - `UNKNOWN_SUBJECT`: no consent record for the subject.
 * - `REVOKED`: the latest record is a revocation.
 * - `NOT_YET_VALID`: `at` < validFrom.
 * - `EXPIRED`: validUntil ≠ 0 and `at` ≥ validUntil.
 * - `PURPOSE_NOT_PERMITTED`: `permitsUse(purposes, use)` is false.
 * - `CATEGORY_NOT_PERMITTED`: `coversCategories(categories, requested)` is false.
 * - `INDEX_STALE`: the index was not marked synced within `maxStalenessSeconds` of now.
 * - `INDEX_NOT_SYNCED`: the index was never marked synced.
 * - `INDEX_SYNC_FAILED`: the sync reported a failure (`markUnsynced`) and has not marked the
 *   index synced since: deny at once instead of waiting for `INDEX_STALE`.
 * - `INVALID_REQUEST`: malformed subject, use, categories or `at` (returned, not thrown:
 *   a decision path must answer every input, and the answer to garbage is "no").
 * - `INDEX_ERROR`: an internal failure (e.g. the clock threw); fail closed.
 */
export type DenyReason =
  | "UNKNOWN_SUBJECT"
  | "REVOKED"
  | "NOT_YET_VALID"
  | "EXPIRED"
  | "PURPOSE_NOT_PERMITTED"
  | "CATEGORY_NOT_PERMITTED"
  | "INDEX_STALE"
  | "INDEX_NOT_SYNCED"
  | "INDEX_SYNC_FAILED"
  | "INVALID_REQUEST"
  | "INDEX_ERROR";

/** Outcome of an access check: allowed, or denied with the specific reason. */
export type AccessDecision =
  | { readonly allowed: true; readonly reason: "PERMITTED" }
  | { readonly allowed: false; readonly reason: DenyReason };

/** Every deny reason, in the order subject-level checks apply them. */
export const denyReasons = [
  "UNKNOWN_SUBJECT",
  "REVOKED",
  "NOT_YET_VALID",
  "EXPIRED",
  "PURPOSE_NOT_PERMITTED",
  "CATEGORY_NOT_PERMITTED",
  "INDEX_STALE",
  "INDEX_NOT_SYNCED",
  "INDEX_SYNC_FAILED",
  "INVALID_REQUEST",
  "INDEX_ERROR",
] as const satisfies readonly DenyReason[];

/** Internal reason numbers: 0 = permitted, i + 1 = `denyReasons[i]`. */
export const reasonCode = {
  PERMITTED: 0,
  UNKNOWN_SUBJECT: 1,
  REVOKED: 2,
  NOT_YET_VALID: 3,
  EXPIRED: 4,
  PURPOSE_NOT_PERMITTED: 5,
  CATEGORY_NOT_PERMITTED: 6,
  INDEX_STALE: 7,
  INDEX_NOT_SYNCED: 8,
  INDEX_SYNC_FAILED: 9,
  INVALID_REQUEST: 10,
  INDEX_ERROR: 11,
} as const;

/** Shared frozen decisions, indexed by reason number: checks allocate nothing. */
export const decisions: readonly AccessDecision[] = Object.freeze([
  Object.freeze({ allowed: true, reason: "PERMITTED" } as const),
  ...denyReasons.map((reason) => Object.freeze({ allowed: false, reason } as const)),
]);

const TWO_32 = 2 ** 32;
const MAX_AT = 2 ** 48 - 1;

/**
 * Whether a `use` word has exactly one permission bit and only known condition bits.
 *
 * @example
 * ```ts
 * isWellFormedUse(purposeCodes.HMB.bit | purposeCodes.NCU.bit); // true
 * isWellFormedUse(purposeCodes.HMB.bit | purposeCodes.DS.bit); // false: two purposes
 * ```
 */
export function isWellFormedUse(use: unknown): use is number {
  if (typeof use !== "number" || !Number.isInteger(use) || use < 0 || use > 0xffffffff) {
    return false;
  }
  const purpose = use & PERMISSION_MASK;
  return (
    purpose !== 0 &&
    (purpose & (purpose - 1)) === 0 &&
    (use & ~(PERMISSION_MASK | CONDITION_MASK)) === 0
  );
}

/**
 * Whether a requested categories word is non-empty and names only known categories.
 *
 * @example
 * ```ts
 * isWellFormedCategories(dataCategories.DRUGS.bit); // true
 * isWellFormedCategories(0); // false
 * ```
 */
export function isWellFormedCategories(categories: unknown): categories is number {
  return (
    typeof categories === "number" &&
    Number.isInteger(categories) &&
    categories > 0 &&
    (categories & ~ALL_CATEGORIES_MASK) === 0
  );
}

/**
 * Whether `at` is unix seconds the index can compare exactly.
 *
 * @example
 * ```ts
 * isWellFormedAt(1_800_000_000); // true
 * isWellFormedAt(-1); // false
 * ```
 */
export function isWellFormedAt(at: unknown): at is number {
  return typeof at === "number" && Number.isInteger(at) && at >= 0 && at <= MAX_AT;
}

/**
 * Applies the contract's `isPermitted` rules to the row starting at word `base`, returning
 * a reason number (0 = permitted). The use word comes as its two masks
 * (`coveringPurposesOf(use)`, `unmetConditionsOf(use)`), so that `permitsUse` costs two AND
 * operations; `categories` must be non-empty (both are checked by the request validation).
 *
 * @example
 * ```ts
 * const reason = evaluateRow(table.rows, slot * ROW_WORDS, coveringPurposesOf(use), unmetConditionsOf(use), categories, at);
 * if (reason === reasonCode.PERMITTED) allow();
 * ```
 */
export function evaluateRow(
  rows: Uint32Array,
  base: number,
  covering: number,
  unmet: number,
  categories: number,
  at: number,
): number {
  if (rows[base + rowLayout.status] !== recordStatus.active) return reasonCode.REVOKED;
  const high = rows[base + rowLayout.timeHigh] as number;
  const validFrom = (rows[base + rowLayout.validFromLow] as number) + (high & 0xffff) * TWO_32;
  if (at < validFrom) return reasonCode.NOT_YET_VALID;
  const validUntil = (rows[base + rowLayout.validUntilLow] as number) + (high >>> 16) * TWO_32;
  if (validUntil !== 0 && at >= validUntil) return reasonCode.EXPIRED;
  const purposes = rows[base + rowLayout.purposes] as number;
  if ((purposes & covering) === 0 || (purposes & unmet) !== 0) {
    return reasonCode.PURPOSE_NOT_PERMITTED;
  }
  if ((categories & ~(rows[base + rowLayout.categories] as number)) !== 0) {
    return reasonCode.CATEGORY_NOT_PERMITTED;
  }
  return reasonCode.PERMITTED;
}
