import { byteSwap, SUBJECT_WORDS } from "../subjectKey.ts";

/**
 * Leading bits of a pseudonym that pick its bucket. 256 buckets keep the scatter to 256
 * write streams (one per bucket, lead and position interleaved): 2,048 buckets with separate
 * lead and position arrays (4,096 streams) spent more time on TLB misses than on sorting.
 * At 10 M entries a bucket holds ~39 k entries (312 KB), which the per-bucket passes sort
 * inside the L2 cache.
 */
export const COHORT_BUCKET_BITS = 8;

/** Number of buckets of the cohort sort. */
export const COHORT_BUCKETS = 1 << COHORT_BUCKET_BITS;

/** Counters of one bucket's two 12-bit counting passes (the 24 bits below the bucket bits). */
export const COHORT_DIGIT_COUNTERS = 1 << 12;

const DIGIT_MASK = COHORT_DIGIT_COUNTERS - 1;
const SMALL_BUCKET = 64;
const SMALL_RUN = 16;

/**
 * First pass of the cohort sort over input positions `[from, to)`: counts the valid entries
 * of each bucket (by the leading bits of the pseudonym) in `counts`, cleared first.
 * Positions flagged in `invalid` are skipped.
 *
 * @returns the number of valid entries in the range.
 * @example
 * ```ts
 * const counts = new Uint32Array(COHORT_BUCKETS);
 * const valid = countCohortLeads(words, null, 0, n, counts);
 * ```
 */
export function countCohortLeads(
  words: Uint32Array,
  invalid: Uint8Array | null,
  from: number,
  to: number,
  counts: Uint32Array,
): number {
  counts.fill(0, 0, COHORT_BUCKETS);
  let valid = 0;
  for (let i = from; i < to; i++) {
    if (invalid !== null && invalid[i] === 1) continue;
    const d = byteSwap(words[i * SUBJECT_WORDS] as number) >>> (32 - COHORT_BUCKET_BITS);
    counts[d] = (counts[d] as number) + 1;
    valid++;
  }
  return valid;
}

/**
 * Second pass over input positions `[from, to)`: writes each valid entry as the pair
 * (leading 32 bits big-endian, position) at `pairs[2 * cursor[bucket]]` and advances that
 * bucket's cursor. Ranges scattered in position order with cursors laid out one after the
 * other keep every bucket in ascending position order, which makes the whole sort stable.
 * The leading words are read from the input again rather than kept from the first pass:
 * that costs one more sequential read of the input and saves 4 bytes per entry of memory.
 *
 * @example
 * ```ts
 * scatterCohortLeads(words, null, 0, n, cursor, pairs); // cursor[d] = start of bucket d
 * ```
 */
export function scatterCohortLeads(
  words: Uint32Array,
  invalid: Uint8Array | null,
  from: number,
  to: number,
  cursor: Uint32Array,
  pairs: Uint32Array,
): void {
  for (let i = from; i < to; i++) {
    if (invalid !== null && invalid[i] === 1) continue;
    const l = byteSwap(words[i * SUBJECT_WORDS] as number);
    const d = l >>> (32 - COHORT_BUCKET_BITS);
    const at = cursor[d] as number;
    cursor[d] = at + 1;
    pairs[2 * at] = l;
    pairs[2 * at + 1] = i;
  }
}

/** Byte-order comparison of the pseudonyms at positions `a` and `b` after their equal lead word. */
function compareTails(words: Uint32Array, a: number, b: number): number {
  const ao = a * SUBJECT_WORDS;
  const bo = b * SUBJECT_WORDS;
  for (let w = 1; w < SUBJECT_WORDS; w++) {
    const x = words[ao + w] as number;
    const y = words[bo + w] as number;
    if (x !== y) return byteSwap(x) < byteSwap(y) ? -1 : 1;
  }
  return a - b;
}

/** Orders a run of pairs with equal leads by the rest of the key (ties: by position). */
function sortRun(words: Uint32Array, pairs: Uint32Array, lo: number, hi: number): void {
  if (hi - lo <= SMALL_RUN) {
    for (let i = lo + 1; i < hi; i++) {
      const p = pairs[2 * i + 1] as number;
      let j = i - 1;
      while (j >= lo && compareTails(words, pairs[2 * j + 1] as number, p) > 0) {
        pairs[2 * j + 3] = pairs[2 * j + 1] as number;
        j--;
      }
      pairs[2 * j + 3] = p;
    }
    return;
  }
  // Only crafted input shares a 32-bit prefix in bulk: keep it O(r log r).
  const run: number[] = [];
  for (let i = lo; i < hi; i++) run.push(pairs[2 * i + 1] as number);
  run.sort((a, b) => compareTails(words, a, b));
  for (let i = lo; i < hi; i++) pairs[2 * i + 1] = run[i - lo] as number;
}

/** Stable insertion sort of the pairs `[lo, hi)` by lead. */
function insertionByLead(pairs: Uint32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const l = pairs[2 * i] as number;
    const p = pairs[2 * i + 1] as number;
    let j = i - 1;
    while (j >= lo && (pairs[2 * j] as number) > l) {
      pairs[2 * j + 2] = pairs[2 * j] as number;
      pairs[2 * j + 3] = pairs[2 * j + 1] as number;
      j--;
    }
    pairs[2 * j + 2] = l;
    pairs[2 * j + 3] = p;
  }
}

/**
 * Sorts the pairs `[lo, hi)` of one bucket into ascending pseudonym byte order: two stable
 * counting passes on the 24 lead bits below the bucket bits (insertion sort for small
 * buckets), then the rare runs of equal leads by the full key from `words`. Equal pseudonyms
 * end up adjacent, in ascending position order.
 *
 * `scratch` must hold `2 × (hi − lo)` words; `low` and `mid` {@link COHORT_DIGIT_COUNTERS}
 * each.
 *
 * @example
 * ```ts
 * sortCohortBucket(pairs, starts[d], starts[d + 1], words, scratch, low, mid);
 * ```
 */
export function sortCohortBucket(
  pairs: Uint32Array,
  lo: number,
  hi: number,
  words: Uint32Array,
  scratch: Uint32Array,
  low: Uint32Array,
  mid: Uint32Array,
): void {
  if (hi - lo <= SMALL_BUCKET) {
    if (hi - lo > 1) insertionByLead(pairs, lo, hi);
  } else {
    low.fill(0);
    mid.fill(0);
    for (let k = lo; k < hi; k++) {
      const l = pairs[2 * k] as number;
      low[l & DIGIT_MASK] = (low[l & DIGIT_MASK] as number) + 1;
      const m = (l >>> 12) & DIGIT_MASK;
      mid[m] = (mid[m] as number) + 1;
    }
    let lowSum = 0;
    let midSum = lo;
    for (let b = 0; b < COHORT_DIGIT_COUNTERS; b++) {
      const c = low[b] as number;
      low[b] = lowSum;
      lowSum += c;
      const m = mid[b] as number;
      mid[b] = midSum;
      midSum += m;
    }
    for (let k = lo; k < hi; k++) {
      const l = pairs[2 * k] as number;
      const at = low[l & DIGIT_MASK] as number;
      low[l & DIGIT_MASK] = at + 1;
      scratch[2 * at] = l;
      scratch[2 * at + 1] = pairs[2 * k + 1] as number;
    }
    for (let k = 0; k < hi - lo; k++) {
      const l = scratch[2 * k] as number;
      const m = (l >>> 12) & DIGIT_MASK;
      const at = mid[m] as number;
      mid[m] = at + 1;
      pairs[2 * at] = l;
      pairs[2 * at + 1] = scratch[2 * k + 1] as number;
    }
  }
  for (let k = lo; k + 1 < hi; ) {
    const l = pairs[2 * k] as number;
    let end = k + 1;
    while (end < hi && pairs[2 * end] === l) end++;
    if (end - k > 1) sortRun(words, pairs, k, end);
    k = end;
  }
}
