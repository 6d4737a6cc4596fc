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
 * Cost of hashing a merge range's leaves relative to merging it, as the first range's share
 * assumes it. Measured at 10 M: 0.25 on 2026-12-02 (SHA-256 ~250 ms against ~1,050 ms of merge
 * CPU), 0.38–0.44 on 2026-12-06 (same code, another host state). Set above both: the first
 * range then ends no later than the others for any true ratio up to ~0.55, and the merge
 * chunks (below) fill the time the other workers would otherwise wait.
 */
const INLINE_HASH_COST = 0.5;

/**
 * Merge chunks per task after the first range: the rest of the buckets is cut this fine so
 * that a worker that finishes early takes the next chunk (the executor hands out tasks as
 * workers free up), instead of the phase waiting for the slowest of equal shares.
 */
const MERGE_CHUNKS_PER_TASK = 16;

/**
 * Cost of the inner nodes over one leaf (about one node hash, ~1.2 µs at 10 M) relative to
 * hashing a leaf in the commit (gathering its 128 keys from the rows and SHA-256 of 4 KiB,
 * ~8.6 µs with its node): the commit's leaf ranges are balanced by this cost, since the
 * leaves the first merge range hashed still need their nodes.
 */
const NODE_HASH_COST = 0.15;

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
 * Bucket cuts of the merge phase: one range for one task; otherwise the first range (which
 * hashes its leaves on the way) gets a share f0 with f0 × (1 + INLINE_HASH_COST) = 1 / tasks
 * of the work, and the rest is cut into up to `tasks × MERGE_CHUNKS_PER_TASK` chunks of about
 * equal entries, none smaller than `minEntriesPerTask` (a task costs a message round trip).
 */
function mergeBucketCuts(
  starts: Uint32Array,
  valid: number,
  tasks: number,
  minEntriesPerTask: number,
): number[] {
  if (tasks === 1) return [0, COHORT_BUCKETS];
  const first = 1 / (1 + (tasks - 1) * (1 + INLINE_HASH_COST));
  const cuts = [0];
  const cutAt = (target: number) => {
    let d = cuts[cuts.length - 1] as number;
    while (d < COHORT_BUCKETS && (starts[d] as number) < target) d++;
    if (d > (cuts[cuts.length - 1] as number) && d < COHORT_BUCKETS) cuts.push(d);
  };
  cutAt(valid * first);
  const from = starts[cuts[cuts.length - 1] as number] as number;
  const rest = valid - from;
  const chunks = Math.max(
    1,
    Math.min(tasks * MERGE_CHUNKS_PER_TASK, Math.floor(rest / Math.max(1, minEntriesPerTask))),
  );
  for (let c = 1; c < chunks; c++) cutAt(from + (rest * c) / chunks);
  cuts.push(COHORT_BUCKETS);
  return cuts;
}

/**
 * The k-th of `tasks` leaf cuts of the commit, balanced by cost: leaves below `hashed` (hashed
 * during the merge) still need their inner nodes (NODE_HASH_COST each), the others their
 * hash as well (1 each, nodes included).
 */
function commitLeafCut(leaves: number, hashed: number, tasks: number, k: number): number {
  if (k === 0) return 0;
  if (k === tasks) return leaves;
  const total = NODE_HASH_COST * hashed + (leaves - hashed);
  const target = (total * k) / tasks;
  const cut =
    target <= NODE_HASH_COST * hashed
      ? Math.ceil(target / NODE_HASH_COST)
      : hashed + Math.ceil(target - NODE_HASH_COST * hashed);
  return Math.min(leaves, cut);
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
 * 3. **merge** (by bucket range): sort each bucket, walk the table alongside it, decide;
 *    ranges hold disjoint key intervals, so duplicates never straddle; the first range also
 *    hashes its complete leaves while their rows are in cache, and the rest is cut into
 *    chunks that the executor hands to whichever worker is free;
 * 4. **commit** (by leaf range, balanced by cost, and by an equal share of the allowed
 *    positions): leaf hashes and the inner nodes within the range, and the task's allowed
 *    positions in its own bitset; the nodes spanning ranges are filled afterwards;
 * 5. **list** (by bitset word range): the allowed positions in input order from the union of
 *    the bitsets, each range at the offset the commit counts give it.
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

  const mergeCuts = mergeBucketCuts(starts, valid, tasks, input.minEntriesPerTask);
  const merged: CohortMergeOutcome[] = resultsOf(
    yield mergeCuts.slice(1).map((bucketTo, k) => ({
      kind: "merge",
      buffers,
      homes,
      bucketFrom: mergeCuts[k] as number,
      bucketTo,
      decision,
      hashLeaves: k === 0,
    })),
    "merge",
    mergeCuts.length - 1,
  );

  const distinctSlices: DistinctSlice[] = [];
  const allowedSlices: AllowedSlice[] = [];
  const denied = new Array<number>(reasonCode.INDEX_ERROR + 1).fill(0);
  denied[reasonCode.INVALID_REQUEST] = count - valid;
  let distinct = 0;
  let allowed = 0;
  merged.forEach((outcome, k) => {
    const first = starts[mergeCuts[k] as number] as number;
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
  const hashed = (merged[0] as CohortMergeOutcome).hashedLeaves;
  const leafCut = (k: number) => commitLeafCut(leaves, hashed, tasks, k);
  const wordCuts = [...blocks.map((k) => cut(bitWords, tasks, k)), bitWords];
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
      allowedFrom: cut(allowed, tasks, k),
      allowedTo: cut(allowed, tasks, k + 1),
      bitset: k,
      bitWords,
      wordCuts,
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
      bitsets: tasks,
      bitWords,
      wordFrom: wordCuts[k] as number,
      wordTo: wordCuts[k + 1] as number,
      at: listedSoFar,
    };
    for (const { marked } of committed) listedSoFar += marked[k] as number;
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
