import { coveringPurposesOf, unmetConditionsOf } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import { type AccessDecision, decisions, evaluateRow, reasonCode } from "./AccessDecision.ts";
import type { ConsentChange } from "./ConsentChange.ts";
import type { AccessRequest, ApplyOutcome, ConsentIndex } from "./ConsentIndex.ts";
import {
  type CohortExecutor,
  createInThreadCohortExecutor,
  type HashPort,
  sha256,
} from "./cohort/index.ts";
import { IndexCohortFilter } from "./IndexCohortFilter.ts";
import { IndexFreshness } from "./IndexFreshness.ts";
import { IndexRecords } from "./IndexRecords.ts";
import { ROW_WORDS } from "./SubjectTable.ts";
import { spotCheckIndex } from "./spotCheck.ts";
import { isLittleEndianHost, parseSubjectInto } from "./subjectKey.ts";

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

function invalidOption(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
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

  const records = new IndexRecords(expected);
  const freshness = new IndexFreshness(options.now, maxStaleness);
  const cohorts = new IndexCohortFilter(records.table, freshness, executor, hash);

  function apply(change: ConsentChange, position?: number): ApplyOutcome {
    if (cohorts.busy) {
      throw new CustosError(
        "CONSENT_INDEX_BUSY",
        "a cohort filter is reading the consent index; apply after whenIdle()",
      );
    }
    return records.apply(change, position);
  }

  function evaluate(request: AccessRequest): number {
    if (typeof request !== "object" || request === null) return reasonCode.INVALID_REQUEST;
    const { key, table } = records;
    if (!parseSubjectInto(request.subject, key, 0)) return reasonCode.INVALID_REQUEST;
    const use = request.use;
    const categories = request.categories;
    const early = freshness.requestReason(use, categories, request.at);
    if (early >= 0) return early;
    const record = table.find(key, 0);
    if (record < 0) return reasonCode.UNKNOWN_SUBJECT;
    return evaluateRow(
      table.rows,
      record * ROW_WORDS,
      coveringPurposesOf(use),
      unmetConditionsOf(use),
      categories,
      freshness.checkedAt,
    );
  }

  function checkAccess(request: AccessRequest): AccessDecision {
    try {
      return decisions[evaluate(request)] as AccessDecision;
    } catch {
      return decisions[reasonCode.INDEX_ERROR] as AccessDecision;
    }
  }

  return {
    get size() {
      return records.table.size;
    },
    get busy() {
      return cohorts.busy;
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
    markSynced: (blockNumber, atTime) => freshness.markSynced(blockNumber, atTime),
    markUnsynced: () => freshness.markUnsynced(),
    checkAccess,
    assertAccess(request) {
      const decision = checkAccess(request);
      if (!decision.allowed) {
        throw new CustosError("CONSENT_DENIED", `consent denied: ${decision.reason}`, {
          details: { reason: decision.reason },
        });
      }
    },
    filterCohort: (subjects, request) => cohorts.filter(subjects, request),
    filterCohortAsync: (subjects, request, filterOptions = {}) =>
      cohorts.filterAsync(subjects, request, filterOptions),
    whenIdle: () => cohorts.whenIdle(),
    getRecord: (subject) => records.get(subject),
    spotCheck: (sample, readContract) =>
      spotCheckIndex(records.spotCheckTarget(), sample, readContract),
    syncState() {
      return {
        lastApplied: records.lastApplied,
        syncedBlock: freshness.syncedBlock,
        syncedAt: freshness.syncedAt,
        syncFailed: freshness.syncFailed,
      };
    },
    stats() {
      const table = records.table;
      return {
        subjects: table.size,
        capacity: table.capacity,
        slotCapacity: table.slotCapacity,
        bytes: table.byteLength,
        cohortScratchBytes: cohorts.scratchBytes,
      };
    },
  };
}
