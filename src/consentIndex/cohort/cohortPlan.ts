import { CustosError } from "../../errors/index.ts";
import { reasonCode } from "../AccessDecision.ts";
import type { AllowedSlice } from "./cohortAllowed.ts";
import type { CohortDecision, CohortMergeOutcome } from "./cohortMerge.ts";
import { COHORT_LEAF_SIZE, commit, type HashPort } from "./cohortSnapshot.ts";
import { COHORT_BUCKETS } from "./cohortSort.ts";
import {
  type CohortBuffers,
  type CohortTask,
  type CohortTaskResult,
  runCohortTask,
} from "./cohortTask.ts";
import { completeCohortTree, type DistinctSlice } from "./cohortTree.ts";

/** What a cohort plan needs besides its buffers. */
export interface CohortPlanInput {
  readonly buffers: CohortBuffers;
  /** Entries in the cohort (valid or not). */
  readonly count: number;
  /** The table's home slot count (see `SubjectTable.homes`). */
  readonly homes: number;
  readonly decision: CohortDecision;
  /** Tasks per phase at most. */
  readonly parallelism: number;
  /** Fewer tasks for a cohort smaller than `parallelism × minEntriesPerTask`. */
  readonly minEntriesPerTask: number;
}

/** The outcome of a cohort plan. */
export interface CohortPlanOutput {
  /** Allowed input positions, ascending. */
  readonly allowedIndices: Uint32Array;
  /** Denials per reason code (index = reason code), malformed entries included. */
  readonly denied: readonly number[];
  /** Merkle root over the distinct allowed pseudonyms, and their number. */
  readonly root: `0x${string}`;
  readonly distinct: number;
}

/**
 * Cost of hashing a range's leaves relative to merging it (measured at 10 M: SHA-256 of the
 * allowed keys ~250 ms against ~1,050 ms of CPU for the merge).
 */
const INLINE_HASH_COST = 0.25;

/** The k-th of `parts` near-equal cuts of `[0, total)`. */
function cut(total: number, parts: number, k: number): number {
  return Math.floor((total * k) / parts);
}

/** Each task's result, checked to be of the kind the phase asked for. */
function resultsOf<K extends CohortTaskResult["kind"]>(
  results: readonly CohortTaskResult[],
  kind: K,
  tasks: number,
): Extract<CohortTaskResult, { kind: K }>[] {
  if (results.length !== tasks || results.some((r) => r.kind !== kind)) {
    throw new CustosError("INTERNAL", "the cohort executor returned malformed results", {
      details: { phase: kind, expected: tasks, received: results.length },
    });
  }
  return results as Extract<CohortTaskResult, { kind: K }>[];
}

/**
 * The cohort filter as phases of independent tasks: a generator that yields each phase's
 * tasks and receives their results in order, doing the little sequential work between
 * phases itself. Driven in the calling thread (`runCohortPlanInline`) or through a
 * `CohortExecutor`, it computes the same outcome for any number of tasks per phase:
 *
 * 1. **count** (by input position range): per-bucket counts;
 * 2. **scatter** (same ranges): (lead, position) pairs into their buckets, each range after
 *    the previous one's entries, so every bucket stays in position order (stable);
 * 3. **merge** (by bucket range, balanced by entries): sort each bucket, walk the table
 *    alongside it, decide; ranges hold disjoint key intervals, so duplicates never straddle;
 *    the first range also hashes its complete leaves while their rows are in cache;
 * 4. **commit** (by leaf range and bitset range): leaf hashes and the inner nodes within the
 *    range, and the allowed-position bits; the nodes spanning ranges are filled afterwards;
 * 5. **list** (same bitset ranges): the allowed positions in input order, each range at the
 *    offset the commit counts give it.
 *
 * @example
 * ```ts
 * const plan = cohortPlan(input, sha256);
 * let step = plan.next();
 * while (!step.done) step = plan.next(step.value.map((task) => runCohortTask(task, sha256)));
 * const { allowedIndices, root } = step.value;
 * ```
 */
export function* cohortPlan(
  input: CohortPlanInput,
  hash: HashPort,
): Generator<readonly CohortTask[], CohortPlanOutput, readonly CohortTaskResult[]> {
  const { buffers, count, homes, decision } = input;
  const tasks = Math.max(
    1,
    Math.min(input.parallelism, Math.floor(count / Math.max(1, input.minEntriesPerTask))),
  );
  const blocks = Array.from({ length: tasks }, (_, k) => k);

  /** One task per input position range; block k owns the k-th block of bucket counters. */
  const byPosition = <K extends "count" | "scatter">(kind: K) =>
    blocks.map((k) => ({
      kind,
      buffers,
      from: cut(count, tasks, k),
      to: cut(count, tasks, k + 1),
      block: k,
    }));

  const counted = resultsOf(yield byPosition("count"), "count", tasks);
  const valid = counted.reduce((sum, r) => sum + r.valid, 0);
  // Bucket starts, then each block's cursors: block k's entries of bucket d follow those of
  // blocks < k, which hold lower positions.
  const { counts, starts } = buffers;
  let at = 0;
  for (let d = 0; d < COHORT_BUCKETS; d++) {
    starts[d] = at;
    for (let k = 0; k < tasks; k++) {
      const c = counts[k * COHORT_BUCKETS + d] as number;
      counts[k * COHORT_BUCKETS + d] = at;
      at += c;
    }
  }
  starts[COHORT_BUCKETS] = at;

  resultsOf(yield byPosition("scatter"), "scatter", tasks);

  // The first range also hashes its leaves (see `InlineLeaves`), so it gets fewer entries:
  // a share f0 with f0 × (1 + INLINE_HASH_COST) = the others' share.
  const first = 1 / (1 + (tasks - 1) * (1 + INLINE_HASH_COST));
  const bucketCuts = [0];
  for (let k = 1; k < tasks; k++) {
    const target = valid * (first + ((k - 1) * (1 - first)) / (tasks - 1));
    let d = bucketCuts[k - 1] as number;
    while (d < COHORT_BUCKETS && (starts[d] as number) < target) d++;
    bucketCuts.push(d);
  }
  bucketCuts.push(COHORT_BUCKETS);
  const merged: CohortMergeOutcome[] = resultsOf(
    yield blocks.map((k) => ({
      kind: "merge",
      buffers,
      homes,
      bucketFrom: bucketCuts[k] as number,
      bucketTo: bucketCuts[k + 1] as number,
      decision,
      hashLeaves: k === 0,
    })),
    "merge",
    tasks,
  );

  const distinctSlices: DistinctSlice[] = [];
  const allowedSlices: AllowedSlice[] = [];
  const denied = new Array<number>(reasonCode.INDEX_ERROR + 1).fill(0);
  denied[reasonCode.INVALID_REQUEST] = count - valid;
  let distinct = 0;
  let allowed = 0;
  merged.forEach((outcome, k) => {
    const first = starts[bucketCuts[k] as number] as number;
    distinctSlices.push({ first, before: distinct, count: outcome.distinct });
    allowedSlices.push({ first, count: outcome.allowed });
    distinct += outcome.distinct;
    allowed += outcome.allowed;
    outcome.denied.forEach((n, reason) => {
      denied[reason] = (denied[reason] as number) + n;
    });
  });

  const leaves = Math.ceil(distinct / COHORT_LEAF_SIZE);
  const bitWords = Math.ceil(count / 32);
  // Leaves still to hash are shared out evenly; the first range also takes the hashed ones
  // (for their inner nodes).
  const hashed = (merged[0] as CohortMergeOutcome).hashedLeaves;
  const leafCut = (k: number) =>
    k === 0 ? 0 : k === tasks ? leaves : hashed + cut(leaves - hashed, tasks, k);
  const committed = resultsOf(
    yield blocks.map((k) => ({
      kind: "commit",
      buffers,
      distinctSlices,
      distinct,
      leaves,
      leafFrom: leafCut(k),
      hashFrom: Math.max(hashed, leafCut(k)),
      leafTo: leafCut(k + 1),
      allowedSlices,
      wordFrom: cut(bitWords, tasks, k),
      wordTo: cut(bitWords, tasks, k + 1),
    })),
    "commit",
    tasks,
  );
  const cuts = blocks.slice(1).map(leafCut);
  const top = completeCohortTree(
    buffers.tree,
    leaves,
    cuts.filter((c) => c > 0 && c < leaves),
    hash,
  );
  let listedSoFar = 0;
  const listed = yield blocks.map((k) => {
    const task: CohortTask = {
      kind: "list",
      buffers,
      wordFrom: cut(bitWords, tasks, k),
      wordTo: cut(bitWords, tasks, k + 1),
      at: listedSoFar,
    };
    listedSoFar += (committed[k] as (typeof committed)[number]).marked;
    return task;
  });
  resultsOf(listed, "list", tasks);
  // A copy in plain memory: the caller owns it, and the scratch is reused by the next filter.
  const allowedIndices = buffers.pairs.slice(0, allowed);
  return { allowedIndices, denied, root: commit(distinct, top, hash), distinct };
}

/**
 * Runs a cohort plan in the calling thread, one task after the other: the single-thread path
 * of `filterCohort`, and the reference every executor must match.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * const { allowedIndices, root } = runCohortPlanInline({ ...input, parallelism: 1 }, sha256);
 * ```
 */
export function runCohortPlanInline(input: CohortPlanInput, hash: HashPort): CohortPlanOutput {
  const plan = cohortPlan(input, hash);
  let step = plan.next();
  while (!step.done) step = plan.next(step.value.map((task) => runCohortTask(task, hash)));
  return step.value;
}
