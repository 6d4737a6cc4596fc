import { CustosError } from "../errors/index.ts";
import {
  type AccessDecision,
  type DenyReason,
  decisions,
  denyReasons,
  evaluateRow,
  isWellFormedAt,
  isWellFormedCategories,
  isWellFormedUse,
  reasonCode,
} from "./AccessDecision.ts";
import { type ConsentChange, type ConsentState, validateConsentChange } from "./ConsentChange.ts";
import { sortCohortKeys } from "./cohortKeyOrder.ts";
import { type CohortMergeResult, mergeCohort } from "./cohortMerge.ts";
import { type CohortSnapshot, commitSortedSubjects, type HashPort } from "./cohortSnapshot.ts";
import {
  ROW_WORDS,
  recordStatus,
  rowLayout,
  SubjectTable,
  timeHigh,
  timeLow,
} from "./SubjectTable.ts";
import { sha256 } from "./sha256.ts";
import {
  type ReadConsentState,
  type SpotCheckReport,
  type SpotCheckSample,
  spotCheckIndex,
} from "./spotCheck.ts";
import {
  isLittleEndianHost,
  parseSubjectInto,
  SUBJECT_BYTES,
  SUBJECT_WORDS,
  type SubjectInput,
  subjectsAsWords,
  subjectToHex,
} from "./subjectKey.ts";

/** Options of {@link createConsentIndex}. */
export interface ConsentIndexOptions {
  /** The clock: current unix time in seconds (injected; the index reads no clock itself). */
  readonly now: () => number;
  /** Deny with `INDEX_STALE` when the last `markSynced` is older than this (seconds). */
  readonly maxStalenessSeconds?: number;
  /** Subjects to pre-size for; the table doubles beyond it (pre-sizing saves memory). */
  readonly expectedSubjects?: number;
  /** Hash port of cohort snapshots (SHA-256; node:crypto by default). */
  readonly hash?: HashPort;
}

/** Defaults of {@link ConsentIndexOptions}. */
export const defaultConsentIndexOptions = {
  maxStalenessSeconds: 60,
  expectedSubjects: 1024,
} as const;

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
}

/** Memory figures of the index. */
export interface ConsentIndexStats {
  readonly subjects: number;
  readonly capacity: number;
  readonly slotCapacity: number;
  readonly bytes: number;
}

/** Outcome of {@link ConsentIndex.apply}: "ignored" when the stored version is as new or newer. */
export type ApplyOutcome = "applied" | "ignored";

/** The in-memory consent index. */
export interface ConsentIndex {
  /** Number of subjects with a record. */
  readonly size: number;
  /**
   * Applies one change if its version is newer than the stored one; older or equal versions
   * are ignored, so replays are harmless and a revocation wins over any older grant
   * whatever the delivery order.
   *
   * @throws CustosError `CONSENT_CHANGE_INVALID` naming the malformed field;
   *   `CONSENT_INDEX_FULL` beyond 2^28 subjects.
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
   * The stored record of a subject, or undefined if unknown.
   *
   * @throws CustosError `INVALID_ARGUMENT` if `subject` is not a pseudonym.
   */
  getRecord(subject: SubjectInput): ConsentState | undefined;
  /**
   * Compares a random sample of subjects with the contract through `readContract`.
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

function invalidOption(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
}

function emptyCounts(): Record<DenyReason, number> {
  const counts = {} as Record<DenyReason, number>;
  for (const reason of denyReasons) counts[reason] = 0;
  return counts;
}

/**
 * Creates an empty consent index. Feed it ConsentRegistry changes with `apply`, mark it
 * synced, then ask it. Pure: no I/O; time comes from `options.now`.
 *
 * @throws CustosError `INVALID_ARGUMENT` for malformed options; `INTERNAL` on a big-endian
 *   host (the pseudonym word layout assumes little-endian typed arrays).
 * @example
 * ```ts
 * const index = createConsentIndex({ now: () => Math.floor(Date.now() / 1000) });
 * index.applyMany(changes);
 * index.markSynced(head, Math.floor(Date.now() / 1000));
 * const d = index.checkAccess({ subject, use: purposeCodes.HMB.bit, categories: dataCategories.DRUGS.bit });
 * if (!d.allowed) console.log(d.reason);
 * ```
 */
export function createConsentIndex(options: ConsentIndexOptions): ConsentIndex {
  if (!isLittleEndianHost) {
    throw new CustosError("INTERNAL", "the consent index needs a little-endian host");
  }
  if (typeof options?.now !== "function") throw invalidOption("now", "now must be a function");
  const now = options.now;
  const maxStaleness =
    options.maxStalenessSeconds ?? defaultConsentIndexOptions.maxStalenessSeconds;
  if (typeof maxStaleness !== "number" || !(maxStaleness >= 0)) {
    throw invalidOption("maxStalenessSeconds", "maxStalenessSeconds must be a number ≥ 0");
  }
  const expected = options.expectedSubjects ?? defaultConsentIndexOptions.expectedSubjects;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw invalidOption("expectedSubjects", "expectedSubjects must be a non-negative integer");
  }
  const hash = options.hash ?? sha256;
  if (typeof hash !== "function") throw invalidOption("hash", "hash must be a function");

  const table = new SubjectTable(expected);
  const key = new Uint32Array(SUBJECT_WORDS);
  let lastBlock = -1;
  let lastLog = -1;
  let syncedBlock: number | null = null;
  let syncedAt: number | null = null;

  function apply(change: ConsentChange, position?: number): ApplyOutcome {
    validateConsentChange(change, key, position);
    if (
      change.blockNumber > lastBlock ||
      (change.blockNumber === lastBlock && change.logIndex > lastLog)
    ) {
      lastBlock = change.blockNumber;
      lastLog = change.logIndex;
    }
    let record = table.find(key, 0);
    if (record >= 0) {
      if (change.version <= (table.rows[record * ROW_WORDS + rowLayout.version] as number)) {
        return "ignored";
      }
    } else {
      record = table.insert(key, 0);
    }
    const rows = table.rows;
    const b = record * ROW_WORDS;
    rows[b + rowLayout.purposes] = change.purposes;
    rows[b + rowLayout.categories] = change.categories;
    rows[b + rowLayout.validFromLow] = timeLow(change.validFrom);
    rows[b + rowLayout.validUntilLow] = timeLow(change.validUntil);
    rows[b + rowLayout.timeHigh] = timeHigh(change.validFrom) | (timeHigh(change.validUntil) << 16);
    rows[b + rowLayout.version] = change.version;
    rows[b + rowLayout.custodian] = change.custodian;
    rows[b + rowLayout.status] =
      change.status === "active" ? recordStatus.active : recordStatus.revoked;
    return "applied";
  }

  /** The `at` of the check in progress, set by requestReason. */
  let checkedAt = 0;

  /** Reason number for the request-wide part of a check, or -1 to go on. */
  function requestReason(use: unknown, categories: unknown, at: unknown): number {
    const clock = now();
    if (typeof clock !== "number" || !Number.isFinite(clock)) {
      throw new CustosError("INTERNAL", "the clock returned a non-finite value");
    }
    const when = at === undefined ? Math.floor(clock) : at;
    if (!isWellFormedUse(use) || !isWellFormedCategories(categories) || !isWellFormedAt(when)) {
      return reasonCode.INVALID_REQUEST;
    }
    checkedAt = when;
    if (syncedAt === null) return reasonCode.INDEX_NOT_SYNCED;
    if (clock - syncedAt > maxStaleness) return reasonCode.INDEX_STALE;
    return -1;
  }

  function evaluate(request: AccessRequest): number {
    if (typeof request !== "object" || request === null) return reasonCode.INVALID_REQUEST;
    if (!parseSubjectInto(request.subject, key, 0)) return reasonCode.INVALID_REQUEST;
    const use = request.use;
    const categories = request.categories;
    const early = requestReason(use, categories, request.at);
    if (early >= 0) return early;
    const record = table.find(key, 0);
    if (record < 0) return reasonCode.UNKNOWN_SUBJECT;
    return evaluateRow(table.rows, record * ROW_WORDS, use, categories, checkedAt);
  }

  function checkAccess(request: AccessRequest): AccessDecision {
    try {
      return decisions[evaluate(request)] as AccessDecision;
    } catch {
      return decisions[reasonCode.INDEX_ERROR] as AccessDecision;
    }
  }

  function cohortWords(subjects: Uint8Array | readonly SubjectInput[]): {
    words: Uint32Array;
    invalid: Uint8Array | null;
  } {
    if (subjects instanceof Uint8Array) {
      if (subjects.length % SUBJECT_BYTES !== 0) {
        throw new CustosError("INVALID_ARGUMENT", "subjects must be n×32 bytes", {
          details: { field: "subjects", length: subjects.length },
        });
      }
      return { words: subjectsAsWords(subjects), invalid: null };
    }
    if (!Array.isArray(subjects)) {
      throw new CustosError("INVALID_ARGUMENT", "subjects must be a Uint8Array or an array", {
        details: { field: "subjects" },
      });
    }
    const words = new Uint32Array(subjects.length * SUBJECT_WORDS);
    const invalid = new Uint8Array(subjects.length);
    subjects.forEach((subject, i) => {
      if (!parseSubjectInto(subject, words, i * SUBJECT_WORDS)) invalid[i] = 1;
    });
    return { words, invalid };
  }

  function filterCohort(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
  ): CohortResult {
    const { words, invalid } = cohortWords(subjects);
    const n = words.length / SUBJECT_WORDS;
    const counts = emptyCounts();
    try {
      const early =
        typeof request !== "object" || request === null
          ? reasonCode.INVALID_REQUEST
          : requestReason(request.use, request.categories, request.at);
      if (early >= 0) {
        let malformed = 0;
        if (invalid !== null) for (let i = 0; i < n; i++) malformed += invalid[i] as number;
        counts.INVALID_REQUEST += malformed;
        counts[denyReasons[early - 1] as DenyReason] += n - malformed;
        return denyAll(counts);
      }
      const sorted = sortCohortKeys(words, n, invalid);
      counts.INVALID_REQUEST += n - sorted.size;
      let merged: CohortMergeResult | undefined;
      const request_ = { use: request.use, categories: request.categories, at: checkedAt };
      const { root, count } = commitSortedSubjects((sink) => {
        merged = mergeCohort(table, words, n, sorted, request_, sink);
      }, hash);
      if (merged === undefined) throw new CustosError("INTERNAL", "cohort merge did not run");
      const { allowedBits, allowedCount, denied } = merged;
      denyReasons.forEach((reason, i) => {
        counts[reason] += denied[i + 1] as number;
      });
      const allowedIndices = new Uint32Array(allowedCount);
      let a = 0;
      for (let w = 0; w < allowedBits.length; w++) {
        let bits = allowedBits[w] as number;
        while (bits !== 0) {
          const low = bits & -bits;
          allowedIndices[a++] = w * 32 + 31 - Math.clz32(low);
          bits ^= low;
        }
      }
      return {
        allowedIndices,
        allowedCount,
        deniedByReason: counts,
        snapshot: { blockNumber: syncedBlock, root, count },
      };
    } catch {
      const failed = emptyCounts();
      failed.INDEX_ERROR = n;
      return denyAll(failed);
    }
  }

  function denyAll(counts: Record<DenyReason, number>): CohortResult {
    const { root, count } = commitSortedSubjects(() => undefined, hash);
    return {
      allowedIndices: new Uint32Array(0),
      allowedCount: 0,
      deniedByReason: counts,
      snapshot: { blockNumber: syncedBlock, root, count },
    };
  }

  function recordAt(record: number): ConsentState {
    const rows = table.rows;
    const b = record * ROW_WORDS;
    const high = rows[b + rowLayout.timeHigh] as number;
    return {
      status: rows[b + rowLayout.status] === recordStatus.active ? "active" : "revoked",
      purposes: rows[b + rowLayout.purposes] as number,
      categories: rows[b + rowLayout.categories] as number,
      validFrom: (rows[b + rowLayout.validFromLow] as number) + (high & 0xffff) * 2 ** 32,
      validUntil: (rows[b + rowLayout.validUntilLow] as number) + (high >>> 16) * 2 ** 32,
      version: rows[b + rowLayout.version] as number,
      custodian: rows[b + rowLayout.custodian] as number,
    };
  }

  function getRecord(subject: SubjectInput): ConsentState | undefined {
    const probe = new Uint32Array(SUBJECT_WORDS);
    if (!parseSubjectInto(subject, probe, 0)) {
      throw new CustosError("INVALID_ARGUMENT", "subject is not a bytes32 pseudonym", {
        details: { field: "subject" },
      });
    }
    const record = table.find(probe, 0);
    return record < 0 ? undefined : recordAt(record);
  }

  return {
    get size() {
      return table.size;
    },
    apply: (change) => apply(change),
    applyMany(changes) {
      let applied = 0;
      let ignored = 0;
      let position = 0;
      for (const change of changes) {
        if (apply(change, position++) === "applied") applied++;
        else ignored++;
      }
      return { applied, ignored };
    },
    markSynced(blockNumber, atTime) {
      if (!Number.isSafeInteger(blockNumber) || blockNumber < 0) {
        throw invalidOption("blockNumber", "blockNumber must be a non-negative safe integer");
      }
      if (typeof atTime !== "number" || !Number.isFinite(atTime)) {
        throw invalidOption("atTime", "atTime must be a finite number of unix seconds");
      }
      if (syncedBlock !== null && blockNumber < syncedBlock) {
        throw new CustosError("CONSENT_SYNC_REGRESSION", "synced block moved backwards", {
          details: { syncedBlock, blockNumber },
        });
      }
      syncedBlock = blockNumber;
      syncedAt = atTime;
    },
    checkAccess,
    assertAccess(request) {
      const decision = checkAccess(request);
      if (!decision.allowed) {
        throw new CustosError("CONSENT_DENIED", `consent denied: ${decision.reason}`, {
          details: { reason: decision.reason },
        });
      }
    },
    filterCohort,
    getRecord,
    spotCheck(sample, readContract) {
      return spotCheckIndex(
        {
          size: table.size,
          subjectsAtRanks: (ranks) =>
            table.slotsOfRanks(ranks).map((slot) => subjectToHex(table.rows, slot * ROW_WORDS)),
          getRecord,
          toHex(subject) {
            const probe = new Uint32Array(SUBJECT_WORDS);
            return parseSubjectInto(subject, probe, 0) ? subjectToHex(probe, 0) : undefined;
          },
        },
        sample,
        readContract,
      );
    },
    syncState() {
      return {
        lastApplied: lastBlock < 0 ? null : { blockNumber: lastBlock, logIndex: lastLog },
        syncedBlock,
        syncedAt,
      };
    },
    stats() {
      return {
        subjects: table.size,
        capacity: table.capacity,
        slotCapacity: table.slotCapacity,
        bytes: table.byteLength,
      };
    },
  };
}
