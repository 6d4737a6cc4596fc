import type { AccessDecision, DenyReason } from "./AccessDecision.ts";
import type { ConsentChange, ConsentState } from "./ConsentChange.ts";
import type { CohortSnapshot } from "./cohort/index.ts";
import type { ReadConsentState, SpotCheckReport, SpotCheckSample } from "./spotCheck.ts";
import type { SubjectInput } from "./subjectKey.ts";

/** A question to the index: may this subject's data be used for `use` on `categories` at `at`? */
export interface AccessRequest {
  /** The subject's pseudonym: 0x-prefixed bytes32 hex or 32 bytes. */
  readonly subject: SubjectInput;
  /** Exactly one DUO permission bit plus the conditions the requester attests. */
  readonly use: number;
  /** Requested data categories (non-empty). */
  readonly categories: number;
  /** Unix seconds to evaluate validity at (default: the clock, floored). */
  readonly at?: number;
}

/** The request of a cohort filter: the same question for every subject of the cohort. */
export type CohortRequest = Omit<AccessRequest, "subject">;

/** Outcome of {@link ConsentIndex.filterCohort}. */
export interface CohortResult {
  /** Input positions of allowed subjects, ascending (input order). */
  readonly allowedIndices: Uint32Array;
  readonly allowedCount: number;
  /** Denied subjects per reason (every reason present, zero if none). */
  readonly deniedByReason: Readonly<Record<DenyReason, number>>;
  /** Commitment to the allowed set (see `buildCohortTree` for proofs). */
  readonly snapshot: CohortSnapshot;
}

/** A point in the chain's event stream. */
export interface ChainPosition {
  readonly blockNumber: number;
  readonly logIndex: number;
}

/** Sync bookkeeping of the index. */
export interface ConsentIndexSyncState {
  /** Highest (block, log index) of any change given to `apply` (null: none yet). */
  readonly lastApplied: ChainPosition | null;
  /** Block of the last `markSynced` (null: never). */
  readonly syncedBlock: number | null;
  /** Clock time passed to the last `markSynced` (null: never). */
  readonly syncedAt: number | null;
  /** `markUnsynced` was called after the last `markSynced`: every check is denied. */
  readonly syncFailed: boolean;
}

/** Memory figures of the index. */
export interface ConsentIndexStats {
  readonly subjects: number;
  readonly capacity: number;
  readonly slotCapacity: number;
  /** Bytes of the subject table. */
  readonly bytes: number;
  /** Bytes of cohort working memory kept for reuse (grows to the largest cohort filtered). */
  readonly cohortScratchBytes: number;
}

/** Options of {@link ConsentIndex.filterCohortAsync}. */
export interface FilterCohortOptions {
  /** Abandons the filter (its tasks stop; a worker executor terminates busy workers). */
  readonly signal?: AbortSignal;
}

/** Outcome of {@link ConsentIndex.apply}: "ignored" when the stored version is as new or newer. */
export type ApplyOutcome = "applied" | "ignored";

/** The in-memory consent index. */
export interface ConsentIndex {
  /** Number of subjects with a record. */
  readonly size: number;
  /**
   * True while a `filterCohortAsync` reads the table (its tasks may run in other threads
   * between the calling thread's turns): `apply` throws until it ends, see `whenIdle`.
   */
  readonly busy: boolean;
  /**
   * Applies one change if its version is newer than the stored one; older or equal versions
   * are ignored, so replays are harmless and a revocation wins over any older grant
   * whatever the delivery order.
   *
   * @throws CustosError `CONSENT_CHANGE_INVALID` naming the malformed field;
   *   `CONSENT_INDEX_FULL` beyond 2^28 subjects; `CONSENT_INDEX_BUSY` while
   *   {@link ConsentIndex.busy} (a table changing under a cohort filter could allow a mix of
   *   two versions of a record).
   */
  apply(change: ConsentChange): ApplyOutcome;
  /**
   * Applies changes in order. A malformed change throws after the earlier ones were applied
   * (re-applying them later is harmless); the error's details carry its `position`.
   *
   * @throws CustosError as {@link ConsentIndex.apply}.
   */
  applyMany(changes: Iterable<ConsentChange>): { applied: number; ignored: number };
  /**
   * Records that every event up to `blockNumber` is applied, as of clock time `atTime`.
   *
   * @throws CustosError `INVALID_ARGUMENT` for a malformed argument;
   *   `CONSENT_SYNC_REGRESSION` if `blockNumber` is below the block already marked.
   */
  markSynced(blockNumber: number, atTime: number): void;
  /**
   * Records that the sync failed: every check is denied with `INDEX_SYNC_FAILED` until the
   * next `markSynced`, instead of only once the last synced mark is older than
   * `maxStalenessSeconds`. A failing sync cannot tell which events it missed, so failing
   * closed at once is the only safe reading.
   */
  markUnsynced(): void;
  /** The decision for one request; never throws (internal errors deny with `INDEX_ERROR`). */
  checkAccess(request: AccessRequest): AccessDecision;
  /**
   * Like {@link ConsentIndex.checkAccess} but throws when denied.
   *
   * @throws CustosError `CONSENT_DENIED` with details `{ reason }`.
   */
  assertAccess(request: AccessRequest): void;
  /**
   * Checks a whole cohort and commits to the allowed set. Malformed entries of a string
   * array are denied with `INVALID_REQUEST`; an internal failure denies all (`INDEX_ERROR`).
   *
   * @throws CustosError `INVALID_ARGUMENT` if `subjects` is neither n×32 bytes nor an array.
   */
  filterCohort(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
  ): CohortResult;
  /**
   * {@link ConsentIndex.filterCohort} through the index's `cohortExecutor` (parallel with a
   * worker executor), with the same result bit for bit. Filters run one at a time, in call
   * order. Give the cohort as bytes over a `SharedArrayBuffer` to spare a copy (32 bytes per
   * subject) when the executor uses worker threads.
   *
   * @throws CustosError `INVALID_ARGUMENT` as {@link ConsentIndex.filterCohort};
   *   `CONSENT_COHORT_ABORTED` when `signal` aborts; `CONSENT_COHORT_EXECUTOR_CLOSED` if the
   *   executor is closed; `CONSENT_COHORT_WORKER_FAILED` if a worker crashed.
   */
  filterCohortAsync(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
    options?: FilterCohortOptions,
  ): Promise<CohortResult>;
  /** Resolves once no `filterCohortAsync` is running or queued. */
  whenIdle(): Promise<void>;
  /**
   * The stored record of a subject, or undefined if unknown.
   *
   * @throws CustosError `INVALID_ARGUMENT` if `subject` is not a pseudonym.
   */
  getRecord(subject: SubjectInput): ConsentState | undefined;
  /**
   * Compares a random sample of subjects with the contract through `readContract`: use
   * `registryConsentReader(client)` with the custodian-scoped client the index syncs from.
   *
   * @throws CustosError `INVALID_ARGUMENT` for a malformed sample;
   *   `CONSENT_SPOT_CHECK_READ_FAILED` if a read fails.
   */
  spotCheck(sample: SpotCheckSample, readContract: ReadConsentState): Promise<SpotCheckReport>;
  /** Sync bookkeeping. */
  syncState(): ConsentIndexSyncState;
  /** Memory figures. */
  stats(): ConsentIndexStats;
}
