import type { ConsentState } from "./ConsentChange.ts";

/** Where a persisted consent index stands: every event up to `blockNumber` is in the store. */
export interface StoredSyncPosition {
  /** Last block whose events are persisted. */
  readonly blockNumber: number;
  /**
   * Which chain and registry the records come from (e.g. `"31337:0xAbc…"`), or null when the
   * event source did not name itself. A store is never resumed against another scope.
   */
  readonly scope: string | null;
}

/** One subject's latest record as persisted. */
export interface StoredConsent {
  /** The pseudonym, 0x-prefixed lowercase hex. */
  readonly subject: `0x${string}`;
  /** The record (status "active" or "revoked"). */
  readonly state: ConsentState;
}

/** What one applied block range writes, atomically. */
export interface StoreCommit {
  /** Latest record of every subject the range touched. */
  readonly records: readonly StoredConsent[];
  /** The position after the range. */
  readonly position: StoredSyncPosition;
}

/**
 * Persistence port of the consent index sync: per subject the latest record, plus the sync
 * position, written together so that a crash leaves either the whole range or none of it.
 * Replaying a range after a crash is harmless because the index applies by version.
 */
export interface ConsentIndexStore {
  /**
   * The persisted position, or null for an empty store.
   *
   * @throws CustosError `CONSENT_INDEX_STORE_CORRUPT`, `CONSENT_INDEX_STORE_FAILED`.
   */
  readPosition(signal?: AbortSignal): Promise<StoredSyncPosition | null>;
  /**
   * Every persisted record (in key order).
   *
   * @throws CustosError `CONSENT_INDEX_STORE_CORRUPT`, `CONSENT_INDEX_STORE_FAILED`.
   */
  records(signal?: AbortSignal): AsyncIterable<StoredConsent>;
  /**
   * Writes a range's records and the new position in one atomic batch.
   *
   * @throws CustosError `CONSENT_INDEX_STORE_FAILED`; `INVALID_ARGUMENT` for a malformed record.
   */
  commit(commit: StoreCommit, signal?: AbortSignal): Promise<void>;
}
