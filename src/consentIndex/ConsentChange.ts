import { CustosError } from "../errors/index.ts";
import { MAX_TIMESTAMP } from "./SubjectTable.ts";
import { parseSubjectInto, type SubjectInput } from "./subjectKey.ts";

/**
 * One consent change as decoded from a ConsentRegistry event: the subject's complete record
 * after the change, plus where the event sits in the chain.
 */
export interface ConsentChange {
  /** The subject's keyed pseudonym (bytes32): 0x-prefixed hex or 32 bytes. */
  readonly subject: SubjectInput;
  /** The record version after this change (≥ 1; strictly increasing per subject). */
  readonly version: number;
  /** "active" after a grant or update, "revoked" after a revocation. */
  readonly status: "active" | "revoked";
  /** DUO purposes and conditions word (see `purposeCodes`). */
  readonly purposes: number;
  /** Data categories word (see `dataCategories`). */
  readonly categories: number;
  /** Start of validity, unix seconds. */
  readonly validFrom: number;
  /** End of validity (exclusive), unix seconds; 0 = open-ended. */
  readonly validUntil: number;
  /** Custodian hospital id. */
  readonly custodian: number;
  /** Block of the event. */
  readonly blockNumber: number;
  /** Log index of the event inside its block. */
  readonly logIndex: number;
}

/** A subject's consent record, as the index stores it and as the contract's getter returns it. */
export interface ConsentState {
  /** "none" only for a subject the contract has never seen. */
  readonly status: "none" | "active" | "revoked";
  readonly purposes: number;
  readonly categories: number;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly version: number;
  readonly custodian: number;
}

function isUint32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function isTimestamp(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TIMESTAMP
  );
}

function isPosition(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function invalid(field: string, message: string, position: number | undefined): CustosError {
  return new CustosError("CONSENT_CHANGE_INVALID", message, {
    details: position === undefined ? { field } : { field, position },
  });
}

/**
 * Checks a consent change and writes its subject's words into `key[0..8)`.
 *
 * @param position - index of the change inside a batch, reported in the error details.
 * @throws CustosError `CONSENT_CHANGE_INVALID` naming the first malformed field.
 *
 * @example
 * ```ts
 * const key = new Uint32Array(8);
 * validateConsentChange(change, key); // throws on a malformed field
 * ```
 */
export function validateConsentChange(
  change: ConsentChange,
  key: Uint32Array,
  position?: number,
): void {
  if (typeof change !== "object" || change === null) {
    throw invalid("change", "consent change must be an object", position);
  }
  if (!parseSubjectInto(change.subject, key, 0)) {
    throw invalid("subject", "subject must be 0x-prefixed bytes32 hex or 32 bytes", position);
  }
  if (!isUint32(change.version) || change.version === 0) {
    throw invalid("version", "version must be an integer in [1, 2^32)", position);
  }
  if (change.status !== "active" && change.status !== "revoked") {
    throw invalid("status", 'status must be "active" or "revoked"', position);
  }
  if (!isUint32(change.purposes)) {
    throw invalid("purposes", "purposes must be a uint32", position);
  }
  if (!isUint32(change.categories)) {
    throw invalid("categories", "categories must be a uint32", position);
  }
  if (!isTimestamp(change.validFrom)) {
    throw invalid("validFrom", "validFrom must be unix seconds in [0, 2^48)", position);
  }
  if (!isTimestamp(change.validUntil)) {
    throw invalid("validUntil", "validUntil must be unix seconds in [0, 2^48)", position);
  }
  if (!isUint32(change.custodian)) {
    throw invalid("custodian", "custodian must be a uint32", position);
  }
  if (!isPosition(change.blockNumber)) {
    throw invalid("blockNumber", "blockNumber must be a non-negative safe integer", position);
  }
  if (!isPosition(change.logIndex)) {
    throw invalid("logIndex", "logIndex must be a non-negative safe integer", position);
  }
}
