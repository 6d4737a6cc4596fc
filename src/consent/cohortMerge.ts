import { evaluateRow, reasonCode } from "./AccessDecision.ts";
import type { CohortKeyOrder } from "./cohortKeyOrder.ts";
import { ROW_WORDS, rowLayout, type SubjectTable } from "./SubjectTable.ts";
import type { SortedSubjectsSink } from "./sortDistinctSubjects.ts";
import { byteSwap, SUBJECT_WORDS } from "./subjectKey.ts";

const BLOCK = 1024;
const PREFETCH = 64;

/** The evaluated request of a cohort merge. */
export interface CohortMergeRequest {
  readonly use: number;
  readonly categories: number;
  readonly at: number;
}

/** Outcome of {@link mergeCohort}. */
export interface CohortMergeResult {
  /** Bit i set: input position i is allowed (bit i of word i >>> 5). */
  readonly allowedBits: Uint32Array;
  readonly allowedCount: number;
  /** Denials per reason code (index = reason code). */
  readonly denied: Float64Array;
}

/**
 * The bitset of `positions[0, n)` (distinct input positions < `count`, any order): scattered
 * by position range into 256 streams first, so that each range's bits are then set within a
 * few KiB instead of at random over the whole bitset.
 */
function positionBits(positions: Uint32Array, n: number, count: number): Uint32Array {
  const bits = new Uint32Array(Math.ceil(count / 32));
  const shift = Math.max(0, 32 - Math.clz32(count) - 8);
  const starts = new Uint32Array(257);
  for (let k = 0; k < n; k++) {
    const r = (positions[k] as number) >>> shift;
    starts[r + 1] = (starts[r + 1] as number) + 1;
  }
  for (let r = 0; r < 256; r++) starts[r + 1] = (starts[r + 1] as number) + (starts[r] as number);
  const byRange = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const p = positions[k] as number;
    const r = p >>> shift;
    const at = starts[r] as number;
    starts[r] = at + 1;
    byRange[at] = p;
  }
  for (let k = 0; k < n; k++) {
    const p = byRange[k] as number;
    bits[p >>> 5] = (bits[p >>> 5] as number) | (1 << (p & 31));
  }
  return bits;
}

/**
 * Decides a sorted cohort by walking the table, which is in the same (pseudonym) order,
 * alongside it: each entry's row is found by moving forward from the previous one (or
 * jumping to the entry's home slot when that is further), so the table is read in ascending
 * address order instead of by one cache and TLB miss per subject. Only entries whose leading
 * word matches a row read the rest of their key from the input.
 *
 * Allowed rows come out in pseudonym order, so their keys go straight to `sink` (distinct,
 * ascending, in blocks) for the commitment; the allowed input positions are returned as a
 * bitset so that the caller can list them in input order.
 *
 * @example
 * ```ts
 * const sorted = sortCohortKeys(words, n, null);
 * const { allowedCount } = mergeCohort(table, words, n, sorted, { use, categories, at }, sink);
 * ```
 */
export function mergeCohort(
  table: SubjectTable,
  words: Uint32Array,
  count: number,
  sorted: CohortKeyOrder,
  request: CohortMergeRequest,
  sink: SortedSubjectsSink,
): CohortMergeResult {
  const { use, categories, at } = request;
  const { lead, order, size } = sorted;
  const rows = table.rows;
  const end = table.slotCapacity;
  const allowed = new Uint32Array(size);
  const denied = new Float64Array(reasonCode.INDEX_ERROR + 1);
  const block = new Uint32Array(BLOCK * SUBJECT_WORDS);
  let filled = 0;
  let allowedCount = 0;
  let lastEmitted = -1;
  let s = 0;
  let touched = 0;
  for (let first = 0; first < size; first += PREFETCH) {
    const last = Math.min(size, first + PREFETCH);
    // Start the loads of these entries' keys together: they are random reads of the input,
    // independent of each other, so their cache misses overlap.
    for (let k = first; k < last; k++) {
      const o = (order[k] as number) * SUBJECT_WORDS;
      touched ^= (words[o + 1] as number) ^ (words[o + 7] as number);
    }
    for (let k = first; k < last; k++) {
      const l = lead[k] as number;
      const i = order[k] as number;
      const home = table.homeOfLead(l);
      if (s < home) s = home;
      while (s < end && byteSwap(rows[s * ROW_WORDS] as number) < l) s++;
      let found = -1;
      const o = i * SUBJECT_WORDS;
      for (let t = s; t < end; t++) {
        const b = t * ROW_WORDS;
        if (rows[b + rowLayout.status] === 0 || byteSwap(rows[b] as number) !== l) break;
        let c = 0;
        for (let w = 1; w < SUBJECT_WORDS; w++) {
          const x = rows[b + w] as number;
          const y = words[o + w] as number;
          if (x !== y) {
            c = byteSwap(x) < byteSwap(y) ? -1 : 1;
            break;
          }
        }
        if (c === 0) found = t;
        if (c >= 0) break;
      }
      if (found < 0) {
        denied[reasonCode.UNKNOWN_SUBJECT] = (denied[reasonCode.UNKNOWN_SUBJECT] as number) + 1;
        continue;
      }
      const b = found * ROW_WORDS;
      const reason = evaluateRow(rows, b, use, categories, at);
      if (reason !== reasonCode.PERMITTED) {
        denied[reason] = (denied[reason] as number) + 1;
        continue;
      }
      allowed[allowedCount++] = i;
      if (found === lastEmitted) continue;
      lastEmitted = found;
      const f = filled * SUBJECT_WORDS;
      for (let w = 0; w < SUBJECT_WORDS; w++) block[f + w] = rows[b + w] as number;
      if (++filled === BLOCK) {
        sink(block, filled);
        filled = 0;
      }
    }
  }
  if (filled > 0) sink(block, filled);
  table.touched = touched;
  return { allowedBits: positionBits(allowed, allowedCount, count), allowedCount, denied };
}
