import type { DataCategory, PurposeLabel } from "./consentCodes.ts";

/**
 * Lifecycle state of a consent, named as FHIR R4 `Consent.status`: `active` — granted and in
 * force; `inactive` — withdrawn or lapsed (revoked on chain); `rejected` — the subject refused
 * (recorded so that the refusal itself is auditable; it grants nothing).
 */
export const consentStatuses = ["active", "inactive", "rejected"] as const;

/** A consent status. */
export type ConsentStatus = (typeof consentStatuses)[number];

/** A disease a DS (disease-specific research) consent is limited to, e.g. a MONDO term. */
export interface DiseaseCode {
  /** Code system URI, e.g. "http://purl.obolibrary.org/obo/mondo.owl". */
  readonly system: string;
  /** Code in that system, e.g. "MONDO:0005148". */
  readonly code: string;
}

/** 0x-prefixed lowercase hex of 32 bytes. */
export type Bytes32 = `0x${string}`;

/** 0x-prefixed lowercase hex of a 20-byte Ethereum address. */
export type Address = `0x${string}`;

/**
 * One subject's research consent as the SDK handles it: what goes on chain (subject, purpose
 * and category words, validity, status, document hash) plus the restrictions the hospital
 * enforces off chain (grantees, disease codes). Records from `validateConsentRecord` are in
 * canonical form: lists de-duplicated and ordered (labels by bit, strings by code unit).
 */
export interface ConsentRecord {
  /** Keyed pseudonym of the subject (bytes32), never a raw identifier. */
  readonly subject: Bytes32;
  /** Lifecycle state. */
  readonly status: ConsentStatus;
  /** DUO permissions: which research the subject allows (at least one). */
  readonly permissions: readonly PurposeLabel[];
  /** DUO modifiers every use must meet (may be empty). */
  readonly conditions: readonly PurposeLabel[];
  /** Data categories the consent covers (at least one). */
  readonly categories: readonly DataCategory[];
  /** First second (unix time, inclusive) the consent is valid; absent: from registration. */
  readonly validFrom?: number;
  /** Last second (unix time, inclusive) the consent is valid; absent: until revoked. */
  readonly validUntil?: number;
  /** When the consent was given (unix seconds), if the document says. */
  readonly recordedAt?: number;
  /** If non-empty, only these recipients (FHIR literal references) may use the data. */
  readonly grantees: readonly string[];
  /** Organisations holding the data under this consent (FHIR `Organization/…` references). */
  readonly custodians: readonly string[];
  /** Addresses that may grant, update or revoke on the subject's behalf (guardians). */
  readonly delegates: readonly Address[];
  /** Diseases a DS permission is limited to; non-empty exactly when DS is permitted. */
  readonly diseaseCodes: readonly DiseaseCode[];
  /** keccak-256 of the RFC 8785 form of the source document (the FHIR Consent). */
  readonly documentHash: Bytes32;
}
