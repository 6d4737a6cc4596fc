import { type AllowedSlice, listAllowedPositions, markAllowedPositions } from "./cohortAllowed.ts";
import { type CohortDecision, type CohortMergeOutcome, mergeCohortBuckets } from "./cohortMerge.ts";
import type { HashPort } from "./cohortSnapshot.ts";
import { COHORT_BUCKETS, countCohortLeads, scatterCohortLeads } from "./cohortSort.ts";
import { type DistinctSlice, hashCohortLeaves, hashCohortNodes } from "./cohortTree.ts";

/**
 * The arrays one cohort filter works on. An executor whose tasks run in other threads needs
 * every one of them over a `SharedArrayBuffer` (the index allocates them so); tasks of one
 * phase write disjoint parts.
 */
export interface CohortBuffers {
  /** The subject table's rows (read only). */
  readonly rows: Uint32Array;
  /** The cohort's pseudonyms, 8 words each (read only). */
  readonly words: Uint32Array;
  /** 1 at the positions of malformed entries (string cohorts), else null. */
  readonly invalid: Uint8Array | null;
  /**
   * (lead, position) pairs, sorted bucket by bucket; then the merge's outcome; at the end,
   * the allowed positions in input order.
   */
  readonly pairs: Uint32Array;
  /** Per count/scatter task, {@link COHORT_BUCKETS} bucket counts, then cursors. */
  readonly counts: Uint32Array;
  /** First pair of each bucket (`COHORT_BUCKETS + 1` entries). */
  readonly starts: Uint32Array;
  /**
   * Allowed input positions as bitsets, one per commit task (each `⌈entries / 32⌉` words,
   * one after the other); their union is the allowed set.
   */
  readonly bits: Uint32Array;
  /** Every level of the commitment tree (see `cohortTreeLayout`). */
  readonly tree: Uint8Array;
}

/**
 * One unit of work of a cohort filter, as plain data (structured-cloneable, so it can be
 * posted to a worker): the phases of `cohortPlan` cut the cohort into ranges and each task
 * runs one kernel on one range.
 */
export type CohortTask =
  | {
      /** `countCohortLeads` over input positions `[from, to)` into counts block `block`. */
      readonly kind: "count";
      readonly buffers: CohortBuffers;
      readonly from: number;
      readonly to: number;
      readonly block: number;
    }
  | {
      /** `scatterCohortLeads` over `[from, to)` with the cursors of counts block `block`. */
      readonly kind: "scatter";
      readonly buffers: CohortBuffers;
      readonly from: number;
      readonly to: number;
      readonly block: number;
    }
  | {
      /**
       * `mergeCohortBuckets` over buckets `[bucketFrom, bucketTo)`, hashing its complete
       * leaves on the way when `hashLeaves` (the range that starts the commitment).
       */
      readonly kind: "merge";
      readonly buffers: CohortBuffers;
      readonly homes: number;
      readonly bucketFrom: number;
      readonly bucketTo: number;
      readonly decision: CohortDecision;
      readonly hashLeaves: boolean;
    }
  | {
      /**
       * Hashes leaves `[hashFrom, leafTo)` (those before `hashFrom` are hashed already) and
       * the inner nodes within `[leafFrom, leafTo)`, and marks the allowed positions
       * `[allowedFrom, allowedTo)` (across `allowedSlices`, in order) in bitset `bitset` of
       * `bitWords` words, counting them per range of `wordCuts`.
       */
      readonly kind: "commit";
      readonly buffers: CohortBuffers;
      readonly distinctSlices: readonly DistinctSlice[];
      readonly distinct: number;
      readonly leaves: number;
      readonly leafFrom: number;
      readonly hashFrom: number;
      readonly leafTo: number;
      readonly allowedSlices: readonly AllowedSlice[];
      readonly allowedFrom: number;
      readonly allowedTo: number;
      readonly bitset: number;
      readonly bitWords: number;
      readonly wordCuts: readonly number[];
    }
  | {
      /**
       * Lists the positions set in words `[wordFrom, wordTo)` of any of the first `bitsets`
       * bitsets (`bitWords` words each), ascending, into `pairs` from index `at` on (after the
       * commit, which was the last to read the pairs).
       */
      readonly kind: "list";
      readonly buffers: CohortBuffers;
      readonly bitsets: number;
      readonly bitWords: number;
      readonly wordFrom: number;
      readonly wordTo: number;
      readonly at: number;
    };

/** The result of a {@link CohortTask}, by kind. */
export type CohortTaskResult =
  | { readonly kind: "count"; readonly valid: number }
  | { readonly kind: "scatter" }
  | ({ readonly kind: "merge" } & CohortMergeOutcome)
  | {
      readonly kind: "commit";
      /** Positions marked per range of the task's `wordCuts`. */
      readonly marked: readonly number[];
    }
  | { readonly kind: "list" };

/**
 * Runs one task in the calling thread. Executors call this (in thread or inside a worker);
 * it is deterministic and touches nothing but the task's buffers.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * const results = tasks.map((task) => runCohortTask(task, sha256));
 * ```
 */
export function runCohortTask(task: CohortTask, hash: HashPort): CohortTaskResult {
  const b = task.buffers;
  switch (task.kind) {
    case "count": {
      const counts = b.counts.subarray(
        task.block * COHORT_BUCKETS,
        (task.block + 1) * COHORT_BUCKETS,
      );
      return {
        kind: "count",
        valid: countCohortLeads(b.words, b.invalid, task.from, task.to, counts),
      };
    }
    case "scatter": {
      const cursor = b.counts.subarray(
        task.block * COHORT_BUCKETS,
        (task.block + 1) * COHORT_BUCKETS,
      );
      scatterCohortLeads(b.words, b.invalid, task.from, task.to, cursor, b.pairs);
      return { kind: "scatter" };
    }
    case "merge":
      return {
        kind: "merge",
        ...mergeCohortBuckets(
          b.rows,
          task.homes,
          b.words,
          b.pairs,
          b.starts,
          task.bucketFrom,
          task.bucketTo,
          task.decision,
          task.hashLeaves ? { tree: b.tree, hash } : null,
        ),
      };
    case "commit": {
      hashCohortLeaves(
        b.rows,
        b.pairs,
        task.distinctSlices,
        task.distinct,
        task.hashFrom,
        task.leafTo,
        b.tree,
        hash,
      );
      hashCohortNodes(b.tree, task.leaves, task.leafFrom, task.leafTo, hash);
      return {
        kind: "commit",
        marked: markAllowedPositions(
          b.pairs,
          task.allowedSlices,
          task.allowedFrom,
          task.allowedTo,
          b.bits.subarray(task.bitset * task.bitWords, (task.bitset + 1) * task.bitWords),
          task.wordCuts,
        ),
      };
    }
    case "list":
      listAllowedPositions(
        b.bits,
        task.bitsets,
        task.bitWords,
        task.wordFrom,
        task.wordTo,
        b.pairs,
        task.at,
      );
      return { kind: "list" };
  }
}
