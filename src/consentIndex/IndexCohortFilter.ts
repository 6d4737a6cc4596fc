import { coveringPurposesOf, unmetConditionsOf } from "../consent/index.ts";
import { CustosError, isCustosError } from "../errors/index.ts";
import { type DenyReason, denyReasons, reasonCode } from "./AccessDecision.ts";
import type { CohortRequest, CohortResult, FilterCohortOptions } from "./ConsentIndex.ts";
import {
  type CohortDecision,
  type CohortExecutor,
  type CohortPlanInput,
  type CohortPlanOutput,
  CohortScratch,
  type CohortTask,
  cohortPlan,
  commit,
  type HashPort,
  runCohortPlanInline,
  throwIfCohortAborted,
} from "./cohort/index.ts";
import type { IndexFreshness } from "./IndexFreshness.ts";
import type { SubjectTable } from "./SubjectTable.ts";
import { isShared } from "./sharedMemory.ts";
import { parseSubjectInto, SUBJECT_BYTES, SUBJECT_WORDS, type SubjectInput } from "./subjectKey.ts";

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

/**
 * The cohort filters of a consent index: the same check for every subject of a cohort, in
 * this thread or through a {@link CohortExecutor}, with a commitment to the allowed set.
 * Asynchronous filters run one at a time in call order and hold the shared scratch memory
 * while they run (`busy`); the index refuses changes meanwhile.
 *
 * @example
 * ```ts
 * const cohorts = new IndexCohortFilter(table, freshness, createInThreadCohortExecutor(), sha256);
 * const result = await cohorts.filterAsync(subjects, { use, categories });
 * ```
 */
export class IndexCohortFilter {
  readonly #table: SubjectTable;
  readonly #freshness: IndexFreshness;
  readonly #executor: CohortExecutor;
  readonly #hash: HashPort;
  readonly #scratch = new CohortScratch();
  /** Settles once every `filterAsync` called so far has ended. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    table: SubjectTable,
    freshness: IndexFreshness,
    executor: CohortExecutor,
    hash: HashPort,
  ) {
    this.#table = table;
    this.#freshness = freshness;
    this.#executor = executor;
    this.#hash = hash;
  }

  /** True while an asynchronous filter reads the table. */
  get busy(): boolean {
    return this.#scratch.busy;
  }

  /** Bytes of working memory kept for reuse. */
  get scratchBytes(): number {
    return this.#scratch.byteLength;
  }

  /**
   * Filters in this thread. Internal failures deny the whole cohort (`INDEX_ERROR`).
   *
   * @throws CustosError `INVALID_ARGUMENT` if `subjects` is neither n×32 bytes nor an array.
   */
  filter(subjects: Uint8Array | readonly SubjectInput[], request: CohortRequest): CohortResult {
    // An async filter between its turns holds the shared scratch: use a private one.
    const arena = this.#scratch.busy ? new CohortScratch() : this.#scratch;
    const { words, invalid, count } = cohortWords(subjects, arena, false);
    try {
      const early = this.#precheck(request, invalid, count);
      if (early !== null) return early;
      const input = this.#planInput(arena, words, invalid, count, request, 1, 1);
      return this.#result(runCohortPlanInline(input, this.#hash));
    } catch {
      return this.#failed(count);
    }
  }

  /**
   * Filters through the executor once the filters called before have ended.
   *
   * @throws CustosError as {@link IndexCohortFilter.filter}; `CONSENT_COHORT_ABORTED` when
   *   `signal` aborts; the executor's errors.
   */
  filterAsync(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
    options: FilterCohortOptions,
  ): Promise<CohortResult> {
    const { signal } = options;
    const run = this.#queue.then(() => this.#run(subjects, request, signal));
    this.#queue = run.catch(() => undefined);
    return abortable(run, signal);
  }

  /** Resolves once no `filterAsync` is running or queued. */
  whenIdle(): Promise<void> {
    return this.#queue.then(() => undefined);
  }

  async #run(
    subjects: Uint8Array | readonly SubjectInput[],
    request: CohortRequest,
    signal: AbortSignal | undefined,
  ): Promise<CohortResult> {
    throwIfCohortAborted(signal);
    const scratch = this.#scratch;
    const executor = this.#executor;
    scratch.busy = true;
    try {
      const { words, invalid, count } = cohortWords(subjects, scratch, executor.sharedMemory);
      // Failures of the executor (abort, closed, crashed worker) reject; failures inside the
      // plan deny the cohort, as in filter.
      let plan: ReturnType<typeof cohortPlan>;
      let step: IteratorResult<readonly CohortTask[], CohortPlanOutput>;
      try {
        const early = this.#precheck(request, invalid, count);
        if (early !== null) return early;
        const { parallelism, minEntriesPerTask } = executor;
        const input = this.#planInput(
          scratch,
          words,
          invalid,
          count,
          request,
          parallelism,
          minEntriesPerTask,
        );
        plan = cohortPlan(input, this.#hash);
        step = plan.next();
      } catch {
        return this.#failed(count);
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
          return this.#failed(count);
        }
      }
      return this.#result(step.value);
    } finally {
      scratch.busy = false;
    }
  }

  /** Deny-all result for a request-wide reason, or null to go on with the plan. */
  #precheck(
    request: CohortRequest,
    invalid: Uint8Array | null,
    count: number,
  ): CohortResult | null {
    const early =
      typeof request !== "object" || request === null
        ? reasonCode.INVALID_REQUEST
        : this.#freshness.requestReason(request.use, request.categories, request.at);
    if (early < 0) return null;
    const counts = emptyCounts();
    let malformed = 0;
    if (invalid !== null) for (let i = 0; i < count; i++) malformed += invalid[i] as number;
    counts.INVALID_REQUEST += malformed;
    counts[denyReasons[early - 1] as DenyReason] += count - malformed;
    return this.#denyAll(counts);
  }

  #planInput(
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
      at: this.#freshness.checkedAt,
    };
    const table = this.#table;
    return {
      buffers: { rows: table.rows, words, invalid, ...arena.work(count, parallelism) },
      count,
      homes: table.homes,
      decision,
      parallelism,
      minEntriesPerTask,
    };
  }

  #result(output: CohortPlanOutput): CohortResult {
    const counts = emptyCounts();
    denyReasons.forEach((reason, i) => {
      counts[reason] = output.denied[i + 1] as number;
    });
    return {
      allowedIndices: output.allowedIndices,
      allowedCount: output.allowedIndices.length,
      deniedByReason: counts,
      snapshot: {
        blockNumber: this.#freshness.syncedBlock,
        root: output.root,
        count: output.distinct,
      },
    };
  }

  #failed(count: number): CohortResult {
    const failed = emptyCounts();
    failed.INDEX_ERROR = count;
    return this.#denyAll(failed);
  }

  #denyAll(counts: Record<DenyReason, number>): CohortResult {
    return {
      allowedIndices: new Uint32Array(0),
      allowedCount: 0,
      deniedByReason: counts,
      snapshot: {
        blockNumber: this.#freshness.syncedBlock,
        root: commit(0, undefined, this.#hash),
        count: 0,
      },
    };
  }
}
