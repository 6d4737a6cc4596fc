import { evaluateRow, reasonCode } from "../AccessDecision.ts";
import { ROW_WORDS, rowLayout } from "../SubjectTable.ts";
import { byteSwap, compareSubjects, SUBJECT_WORDS } from "../subjectKey.ts";
import { COHORT_LEAF_SIZE, type HashPort } from "./cohortSnapshot.ts";
import { COHORT_DIGIT_COUNTERS, sortCohortBucket } from "./cohortSort.ts";
import { LeafBuffer } from "./cohortTree.ts";

const PREFETCH = 64;
const TWO_32 = 2 ** 32;

/** The request of a cohort merge, reduced to what each row's decision needs. */
export interface CohortDecision {
  /** `coveringPurposesOf(use)`. */
  readonly covering: number;
  /** `unmetConditionsOf(use)`. */
  readonly unmet: number;
  /** Requested categories (non-empty). */
  readonly categories: number;
  /** Unix seconds the validity is evaluated at. */
  readonly at: number;
}

/** What {@link mergeCohortBuckets} decided for its buckets. */
export interface CohortMergeOutcome {
  /** Allowed entries (duplicates counted each). */
  readonly allowed: number;
  /** Distinct allowed pseudonyms. */
  readonly distinct: number;
  /** Denials per reason code (index = reason code; index 0 unused). */
  readonly denied: number[];
  /** Complete leaves hashed into the tree on the way (only with `inlineLeaves`). */
  readonly hashedLeaves: number;
}

/**
 * Where the merge of the first bucket range hashes its complete leaves as it meets the
 * allowed rows: its distinct pseudonyms start the commitment, so their leaves are known
 * during the walk, while the rows are still in cache (hashing them afterwards from the slots
 * reads the table a second time: ~190 ms of CPU at 10 M).
 */
export interface InlineLeaves {
  readonly tree: Uint8Array;
  readonly hash: HashPort;
}

/** XOR of words loaded only to start cache misses early: stored so the loads are not dropped. */
const prefetchSink = { value: 0 };

/**
 * Sorts and decides the cohort entries of buckets `[bucketFrom, bucketTo)` (pairs
 * `[starts[bucketFrom], starts[bucketTo])`, scattered by `scatterCohortLeads`): each bucket is
 * sorted while it is in cache, then walked alongside the table, which is in the same
 * (pseudonym) order: each entry's row is found by moving forward from the previous one (or
 * jumping to the entry's home slot when that is further), so the table is read in ascending
 * address order instead of by one cache and TLB miss per subject. Only entries whose leading
 * word matches a row read the rest of their key from the input; those reads are started 64
 * entries at a time so their misses overlap.
 *
 * The outcome overwrites the range's pairs behind the read position (no extra memory): the
 * k-th allowed input position goes to `pairs[2 × (first + k)]` and the slot of the k-th
 * distinct allowed pseudonym (ascending) to `pairs[2 × (first + k) + 1]`, where `first =
 * starts[bucketFrom]`. Ranges that share no bucket can be merged in parallel over one table.
 * With `inlineLeaves` (only for the range starting at bucket 0), complete leaves are hashed
 * into level 0 of the tree on the way.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * const { allowed, distinct } = mergeCohortBuckets(rows, homes, words, pairs, starts, 0, COHORT_BUCKETS, decision, null);
 * ```
 */
export function mergeCohortBuckets(
  rows: Uint32Array,
  homes: number,
  words: Uint32Array,
  pairs: Uint32Array,
  starts: Uint32Array,
  bucketFrom: number,
  bucketTo: number,
  decision: CohortDecision,
  inlineLeaves: InlineLeaves | null,
): CohortMergeOutcome {
  const { covering, unmet, categories, at } = decision;
  const end = rows.length / ROW_WORDS;
  const first = starts[bucketFrom] as number;
  let largest = 0;
  for (let d = bucketFrom; d < bucketTo; d++) {
    largest = Math.max(largest, (starts[d + 1] as number) - (starts[d] as number));
  }
  const scratch = new Uint32Array(2 * largest);
  const low = new Uint32Array(COHORT_DIGIT_COUNTERS);
  const mid = new Uint32Array(COHORT_DIGIT_COUNTERS);
  const denied = new Array<number>(reasonCode.INDEX_ERROR + 1).fill(0);
  let allowed = 0;
  let distinct = 0;
  let lastEmitted = -1;
  const leaf = inlineLeaves === null ? null : new LeafBuffer();
  let hashedLeaves = 0;
  let s = 0;
  let touch = 0;
  for (let d = bucketFrom; d < bucketTo; d++) {
    const lo = starts[d] as number;
    const hi = starts[d + 1] as number;
    sortCohortBucket(pairs, lo, hi, words, scratch, low, mid);
    for (let batch = lo; batch < hi; batch += PREFETCH) {
      const last = Math.min(hi, batch + PREFETCH);
      // Start the loads of these entries' keys together: they are random reads of the input,
      // independent of each other, so their cache misses overlap.
      for (let k = batch; k < last; k++) {
        const o = (pairs[2 * k + 1] as number) * SUBJECT_WORDS;
        touch ^= (words[o + 1] as number) ^ (words[o + 7] as number);
      }
      for (let k = batch; k < last; k++) {
        const l = pairs[2 * k] as number;
        const i = pairs[2 * k + 1] as number;
        const home = Math.floor((l * homes) / TWO_32);
        if (s < home) s = home;
        while (s < end && byteSwap(rows[s * ROW_WORDS] as number) < l) s++;
        let found = -1;
        const o = i * SUBJECT_WORDS;
        for (let t = s; t < end; t++) {
          const b = t * ROW_WORDS;
          if (rows[b + rowLayout.status] === 0 || byteSwap(rows[b] as number) !== l) break;
          // Equal keys are the common case: one test for all seven words (5 % less CPU for
          // the merge than comparing word by word), the order only when they differ.
          const diff =
            ((rows[b + 1] as number) ^ (words[o + 1] as number)) |
            ((rows[b + 2] as number) ^ (words[o + 2] as number)) |
            ((rows[b + 3] as number) ^ (words[o + 3] as number)) |
            ((rows[b + 4] as number) ^ (words[o + 4] as number)) |
            ((rows[b + 5] as number) ^ (words[o + 5] as number)) |
            ((rows[b + 6] as number) ^ (words[o + 6] as number)) |
            ((rows[b + 7] as number) ^ (words[o + 7] as number));
          const c = diff === 0 ? 0 : compareSubjects(rows, b, words, o);
          if (c === 0) found = t;
          if (c >= 0) break;
        }
        if (found < 0) {
          denied[reasonCode.UNKNOWN_SUBJECT] = (denied[reasonCode.UNKNOWN_SUBJECT] as number) + 1;
          continue;
        }
        const reason = evaluateRow(rows, found * ROW_WORDS, covering, unmet, categories, at);
        if (reason !== reasonCode.PERMITTED) {
          denied[reason] = (denied[reason] as number) + 1;
          continue;
        }
        // Both writes land at or behind entry k, which has been read already.
        pairs[2 * (first + allowed)] = i;
        allowed++;
        if (found === lastEmitted) continue;
        lastEmitted = found;
        pairs[2 * (first + distinct) + 1] = found;
        distinct++;
        if (leaf !== null && leaf.add(rows, found * ROW_WORDS) === COHORT_LEAF_SIZE) {
          leaf.hashInto(
            (inlineLeaves as InlineLeaves).tree,
            hashedLeaves++,
            (inlineLeaves as InlineLeaves).hash,
          );
        }
      }
    }
  }
  prefetchSink.value ^= touch;
  return { allowed, distinct, denied, hashedLeaves };
}
