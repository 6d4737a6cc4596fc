import type { ErrorCode } from "../errors/index.ts";

/**
 * The reason codes a data service records on chain with `declineQuery` (uint16), each
 * named after the error that caused it. Codes are stable: they are never renumbered.
 */
export const declineReasons = Object.freeze({
  notApproved: 1,
  expired: 2,
  purposeRefused: 3,
  measureRefused: 4,
  specInvalid: 5,
  unknownConcept: 6,
  cohortTooSmall: 7,
  differencing: 8,
  budgetExceeded: 9,
  staffRefused: 10,
  dataUnavailable: 11,
  failed: 12,
} as const);

/** The name of a decline reason. */
export type DeclineReason = keyof typeof declineReasons;

const byCode: Partial<Record<ErrorCode, DeclineReason>> = {
  QUERY_SPEC_INVALID: "specInvalid",
  QUERY_ROW_LEVEL_REFUSED: "specInvalid",
  QUERY_MEASURE_REFUSED: "measureRefused",
  DISCLOSURE_AUDIT_FAILED: "measureRefused",
  QUERY_UNKNOWN_CONCEPT: "unknownConcept",
  QUERY_COHORT_TOO_SMALL: "cohortTooSmall",
  DISCLOSURE_DIFFERENCING: "differencing",
  DISCLOSURE_BUDGET_EXCEEDED: "budgetExceeded",
  LEDGER_BUDGET_EXCEEDED: "budgetExceeded",
  OMOP_STORE_UNAVAILABLE: "dataUnavailable",
  OMOP_STORE_INVALID_DATA: "dataUnavailable",
};

/** The decline reason for an error code (`failed` for anything unexpected). */
export function declineReasonOf(code: ErrorCode): DeclineReason {
  return byCode[code] ?? "failed";
}

/** The name of an on-chain reason code, or null for an unknown one. */
export function declineReasonName(code: number): DeclineReason | null {
  const entry = Object.entries(declineReasons).find(([, value]) => value === code);
  return entry === undefined ? null : (entry[0] as DeclineReason);
}
