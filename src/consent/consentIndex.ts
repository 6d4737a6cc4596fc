import { CustosError, isCustosError } from "../errors/index.ts";
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
import {
  type CohortExecutor,
  createInThreadCohortExecutor,
  throwIfCohortAborted,
} from "./CohortExecutor.ts";
import { type ConsentChange, type ConsentState, validateConsentChange } from "./ConsentChange.ts";
import type { CohortDecision } from "./cohortMerge.ts";
import {
  type CohortPlanInput,
  type CohortPlanOutput,
  cohortPlan,
  runCohortPlanInline,
} from "./cohortPlan.ts";
import { CohortScratch } from "./cohortScratch.ts";
import { type CohortSnapshot, commit, type HashPort } from "./cohortSnapshot.ts";
import type { CohortTask } from "./cohortTask.ts";
import { coveringPurposesOf, unmetConditionsOf } from "./consentCodes.ts";
import {
  ROW_WORDS,
  recordStatus,
  rowLayout,
  SubjectTable,
  timeHigh,
  timeLow,
} from "./SubjectTable.ts";
import { sha256 } from "./sha256.ts";
import { isShared } from "./sharedMemory.ts";
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
  /**
   * Runs the tasks of `filterCohortAsync` (default: in the calling thread, one after the
   * other). Pass `createWorkerCohortExecutor()` to spread them over worker threads; the
   * integrator owns it and closes it on shutdown.
   */
  readonly cohortExecutor?: CohortExecutor;
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

function invalidOption(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
}

/**
 * `promise`, or a rejection with `CONSENT_COHORT_ABORTED` as soon as `signal` aborts (a
 * filter still queued behind another then never starts: it checks the signal first).
 */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      try {
        throwIfCohortAborted(signal);
      } catch (error) {
        reject(error);
      }
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
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
 * // Cohorts: in this thread, or through `options.cohortExecutor` (e.g. worker threads).
 * const cohort = await index.filterCohortAsync(subjects, { use, categories }, { signal });
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
  const executor = options.cohortExecutor ?? createInThreadCohortExecutor({ hash });
  if (typeof executor?.run !== "function" || !(executor.parallelism >= 1)) {
    throw invalidOption("cohortExecutor", "cohortExecutor must be a CohortExecutor");
  }

  const table = new SubjectTable(expected);
  const key = new Uint32Array(SUBJECT_WORDS);
  const scratch = new CohortScratch();
  let lastBlock = -1;
  let lastLog = -1;
  let syncedBlock: number | null = null;
  let syncedAt: number | null = null;
  let syncFailed = false;
  /** Settles once every filterCohortAsync called so far has ended. */
  let cohortQueue: Promise<unknown> = Promise.resolve();

  function apply(change: ConsentChange, position?: number): ApplyOutcome {
    if (scratch.busy) {
      throw new CustosError(
        "CONSENT_INDEX_BUSY",
        "a cohort filter is reading the consent index; apply after whenIdle()",
      );
    }
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
    if (syncFailed) return reasonCode.INDEX_SYNC_FAILED;
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
    return evaluateRow(
      table.rows,
      record * ROW_WORDS,
      coveringPurposesOf(use),
      unmetConditionsOf(use),
      categories,
      checkedAt,
    );
  }

  function checkAccess(request: AccessRequest): AccessDecision {
    try {
      return decisions[evaluate(request)] as AccessDecision;
    } catch {
      return decisions[reasonCode.INDEX_ERROR] as AccessDecision;
    }
  }

  /**
   * The cohort as words (a view of the caller's bytes when possible) and its malformed-entry
   * flags. With `shared`, words not in shared memory are copied into `arena`.
   */
  function cohortWords(
    subjects: Uint8Array | readonly SubjectInput[],
    arena: CohortScratch,
    shared: boolean,
  ): { words: Uint32Array; invalid: Uint8Array | null; count: number } {
    if (subjects instanceof Uint8Array) {
      if (subjects.length % SUBJECT_BYTES !== 0) {
        throw new CustosError("INVALID_ARGUMENT", "subjects must be n×32 bytes", {
          details: { field: "subjects", length: subjects.length },
        });
      }
      const count = subjects.length / SUBJECT_BYTES;
      if (subjects.byteOffset % 4 === 0 && (!shared || isShared(subjects.buffer))) {
        const words = new Uint32Array(subjects.buffer, subjects.byteOffset, count * SUBJECT_WORDS);
        return { words, invalid: null, count };
      }
      const words = arena.keys(count);
      new Uint8Array(words.buffer, 0, subjects.length).set(subjects);
      return { words, invalid: null, count };
    }
    if (!Array.isArray(subjects)) {
      throw new CustosError("INVALID_ARGUMENT", "subjects must be a Uint8Array or an array", {
        details: { field: "subjects" },
      });
    }
    const count = subjects.length;
    const words = arena.keys(count);
    const invalid = arena.invalid(count);
    subjects.forEach((subject, i) => {
      invalid[i] = parseSubjectInto(subject, words, i * SUBJECT_WORDS) ? 0 : 1;
    });
    return { words, invalid, count };
  }

  /** Deny-all result for a request-wide reason, or null to go on with the plan. */
  function cohortPrecheck(
    request: CohortRequest,
    invalid: Uint8Array | null,
    count: number,
  ): CohortResult | null {
    const early =
      typeof request !== "object" || request === null
        ? reasonCode.INVALID_REQUEST
        : requestReason(request.use, request.categories, request.at);
    if (early < 0) return null;
    const counts = emptyCounts();
    let malformed = 0;
    if (invalid !== null) for (let i = 0; i < count; i++) malformed += invalid[i] as number;
    counts.INVALID_REQUEST += malformed;
    counts[denyReasons[early - 1] as DenyReason] += count - malformed;
    return denyAll(counts);
  }

  function planInput(
    arena: CohortScratch,
    words: Uint32Array,
    invalid: Uint8Array | null,
    count: number,
    request: CohortRequest,
    parallelism: number,
    minEntriesPerTask: number,
  ): CohortPlanInput {
    const decision: CohortDecision = {
      covering: coveringPurposesOf(request.use),
      unmet: unmetConditionsOf(request.use),
      categories: request.categories,
      at: checkedAt,
    };
    return {
      buffers: { rows: table.rows, words, invalid, ...arena.work(count, parallelism) },
      count,
      homes: table.homes,
      decision,
      parallelism,
      minEntriesPerTask,
    };
  }

  function cohortResult(output: CohortPlanOutput): CohortResult {
    const counts = emptyCounts();
    denyReasons.forEach((reason, i) => {
      counts[reason] = output.denied[i + 1] as number;
    });
    return {
      allowedIndices: output.allowedIndices,
      allowedCount: output.allowedIndices.length,
      deniedByReason: counts,
      snapshot: { blockNumber: syncedBlock, root: output.root, count: output.distinct },
    };
  }

  function failedCohort(count: number): CohortResult {
    const failed = emptyCounts();
    failed.INDEX_ERROR = count;
    return denyAll(failed);
  }

  function filterCohort(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
  ): CohortResult {
    // An async filter between its turns holds the shared scratch: use a private one.
    const arena = scratch.busy ? new CohortScratch() : scratch;
    const { words, invalid, count } = cohortWords(subjects, arena, false);
    try {
      const early = cohortPrecheck(request, invalid, count);
      if (early !== null) return early;
      const input = planInput(arena, words, invalid, count, request, 1, 1);
      return cohortResult(runCohortPlanInline(input, hash));
    } catch {
      return failedCohort(count);
    }
  }

  async function runCohortAsync(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
    signal: AbortSignal | undefined,
  ): Promise<CohortResult> {
    throwIfCohortAborted(signal);
    scratch.busy = true;
    try {
      const { words, invalid, count } = cohortWords(subjects, scratch, executor.sharedMemory);
      // Failures of the executor (abort, closed, crashed worker) reject; failures inside the
      // plan deny the cohort, as in filterCohort.
      let plan: ReturnType<typeof cohortPlan>;
      let step: IteratorResult<readonly CohortTask[], CohortPlanOutput>;
      try {
        const early = cohortPrecheck(request, invalid, count);
        if (early !== null) return early;
        const { parallelism, minEntriesPerTask } = executor;
        const input = planInput(
          scratch,
          words,
          invalid,
          count,
          request,
          parallelism,
          minEntriesPerTask,
        );
        plan = cohortPlan(input, hash);
        step = plan.next();
      } catch {
        return failedCohort(count);
      }
      while (!step.done) {
        const results = await executor.run(step.value, signal).catch((error: unknown) => {
          throw isCustosError(error)
            ? error
            : new CustosError("INTERNAL", "the cohort executor failed", { cause: error });
        });
        try {
          step = plan.next(results);
        } catch {
          return failedCohort(count);
        }
      }
      return cohortResult(step.value);
    } finally {
      scratch.busy = false;
    }
  }

  function denyAll(counts: Record<DenyReason, number>): CohortResult {
    return {
      allowedIndices: new Uint32Array(0),
      allowedCount: 0,
      deniedByReason: counts,
      snapshot: { blockNumber: syncedBlock, root: commit(0, undefined, hash), count: 0 },
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
    get busy() {
      return scratch.busy;
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
      syncFailed = false;
    },
    markUnsynced() {
      syncFailed = true;
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
    filterCohortAsync(subjects, request, filterOptions = {}) {
      const { signal } = filterOptions;
      const run = cohortQueue.then(() => runCohortAsync(subjects, request, signal));
      cohortQueue = run.catch(() => undefined);
      return abortable(run, signal);
    },
    whenIdle() {
      return cohortQueue.then(() => undefined);
    },
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
        syncFailed,
      };
    },
    stats() {
      return {
        subjects: table.size,
        capacity: table.capacity,
        slotCapacity: table.slotCapacity,
        bytes: table.byteLength,
        cohortScratchBytes: scratch.byteLength,
      };
    },
  };
}
