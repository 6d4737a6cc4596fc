import { CustosError } from "../errors/index.ts";
import type { ConsentChange } from "./auditEntryRefs.ts";

/**
 * How many consent grants, updates and revocations one custodian recorded on one UTC day
 * (by block time): counts only, never subjects.
 */
export interface ConsentDayCounts {
  /** UTC date, YYYY-MM-DD. */
  readonly day: string;
  readonly custodian: number;
  readonly grants: number;
  readonly updates: number;
  readonly revocations: number;
}

const SECONDS_PER_DAY = 86_400;

/**
 * The UTC day (days since 1970-01-01) of a unix second.
 *
 * @example
 * ```ts
 * consentDayOf(86_400 * 3 + 5); // 3
 * ```
 */
export function consentDayOf(timestamp: number): number {
  return Math.floor(timestamp / SECONDS_PER_DAY);
}

/**
 * A day number as its UTC date, YYYY-MM-DD.
 *
 * @example
 * ```ts
 * consentDayName(0); // "1970-01-01"
 * ```
 */
export function consentDayName(day: number): string {
  return new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
}

/**
 * Counts one consent change in its custodian's day (`counts` undefined for the day's first).
 *
 * @throws CustosError `INVALID_ARGUMENT` when `counts` is another custodian's or day's.
 * @example
 * ```ts
 * const counts = applyConsentChange(undefined, { custodian: 1, change: "grant" }, block.timestamp);
 * ```
 */
export function applyConsentChange(
  counts: ConsentDayCounts | undefined,
  change: { readonly custodian: number; readonly change: ConsentChange },
  timestamp: number,
): ConsentDayCounts {
  const day = consentDayName(consentDayOf(timestamp));
  if (counts !== undefined && (counts.day !== day || counts.custodian !== change.custodian)) {
    throw new CustosError("INVALID_ARGUMENT", "the change belongs to another day or custodian", {
      details: { field: "counts", day, custodian: change.custodian },
    });
  }
  const previous = counts ?? {
    day,
    custodian: change.custodian,
    grants: 0,
    updates: 0,
    revocations: 0,
  };
  switch (change.change) {
    case "grant":
      return { ...previous, grants: previous.grants + 1 };
    case "update":
      return { ...previous, updates: previous.updates + 1 };
    case "revocation":
      return { ...previous, revocations: previous.revocations + 1 };
  }
}
