import { byteSwap, SUBJECT_WORDS } from "./subjectKey.ts";

const TOP_BITS = 11;
const BUCKETS = 1 << TOP_BITS;
const LOW_BITS = 11;
const MID_BITS = 32 - TOP_BITS - LOW_BITS;
const SMALL_BUCKET = 48;
const SMALL_RUN = 16;

/** A cohort's valid pseudonyms in ascending byte order, as leading words and input positions. */
export interface CohortKeyOrder {
  /** Leading 32 bits (big-endian) of the k-th smallest pseudonym. */
  readonly lead: Uint32Array;
  /** Input position of the k-th smallest pseudonym (equal pseudonyms: ascending positions). */
  readonly order: Uint32Array;
  /** Number of entries sorted (the cohort minus its malformed entries). */
  readonly size: number;
}

/** Stable insertion sort of `[lo, hi)` by leading word. */
function insertionByLead(lead: Uint32Array, order: Uint32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const l = lead[i] as number;
    const p = order[i] as number;
    let j = i - 1;
    while (j >= lo && (lead[j] as number) > l) {
      lead[j + 1] = lead[j] as number;
      order[j + 1] = order[j] as number;
      j--;
    }
    lead[j + 1] = l;
    order[j + 1] = p;
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

/** Orders a run of equal leading words by the rest of the key (ties: by position). */
function sortRun(words: Uint32Array, order: Uint32Array, lo: number, hi: number): void {
  if (hi - lo <= SMALL_RUN) {
    for (let i = lo + 1; i < hi; i++) {
      const p = order[i] as number;
      let j = i - 1;
      while (j >= lo && compareTails(words, order[j] as number, p) > 0) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = p;
    }
    return;
  }
  // Only crafted input shares a 32-bit prefix in bulk: keep it O(r log r).
  const run = Array.from(order.subarray(lo, hi));
  run.sort((a, b) => compareTails(words, a, b));
  order.set(run, lo);
}

/**
 * Sorts a cohort's pseudonyms `words[i*8 .. i*8+8)` (skipping the positions flagged in
 * `invalid`) into ascending byte order without moving the keys themselves: a radix sort of
 * (leading 32 bits, position) pairs — one scatter by the top 11 bits into cache-sized buckets,
 * then two stable counting passes on the remaining 21 bits per bucket — followed by a pass
 * that orders the rare runs sharing their leading 32 bits by the full key. Equal pseudonyms
 * end up adjacent, in input order.
 *
 * Memory: 8 bytes per entry for the result plus 4 bytes per entry transiently (the leading
 * words, so the keys are read once) and one bucket of scratch.
 *
 * @example
 * ```ts
 * const { lead, order, size } = sortCohortKeys(words, words.length / 8, null);
 * // order[0] is the input position of the smallest pseudonym
 * ```
 */
export function sortCohortKeys(
  words: Uint32Array,
  count: number,
  invalid: Uint8Array | null,
): CohortKeyOrder {
  const leads = new Uint32Array(count);
  const starts = new Uint32Array(BUCKETS + 1);
  let size = 0;
  for (let i = 0; i < count; i++) {
    if (invalid !== null && invalid[i] === 1) continue;
    const l = byteSwap(words[i * SUBJECT_WORDS] as number);
    leads[i] = l;
    const d = (l >>> (32 - TOP_BITS)) + 1;
    starts[d] = (starts[d] as number) + 1;
    size++;
  }
  let largest = 0;
  for (let d = 0; d < BUCKETS; d++) {
    const n = starts[d + 1] as number;
    if (n > largest) largest = n;
    starts[d + 1] = n + (starts[d] as number);
  }
  const lead = new Uint32Array(size);
  const order = new Uint32Array(size);
  const cursor = starts.slice(0, BUCKETS);
  for (let i = 0; i < count; i++) {
    if (invalid !== null && invalid[i] === 1) continue;
    const l = leads[i] as number;
    const d = l >>> (32 - TOP_BITS);
    const at = cursor[d] as number;
    cursor[d] = at + 1;
    lead[at] = l;
    order[at] = i;
  }

  const scratchLead = new Uint32Array(largest);
  const scratchOrder = new Uint32Array(largest);
  const lowCounts = new Uint32Array(1 << LOW_BITS);
  const midCounts = new Uint32Array(1 << MID_BITS);
  const lowMask = (1 << LOW_BITS) - 1;
  const midMask = (1 << MID_BITS) - 1;
  for (let d = 0; d < BUCKETS; d++) {
    const lo = starts[d] as number;
    const hi = starts[d + 1] as number;
    if (hi - lo <= SMALL_BUCKET) {
      if (hi - lo > 1) insertionByLead(lead, order, lo, hi);
      continue;
    }
    lowCounts.fill(0);
    midCounts.fill(0);
    for (let k = lo; k < hi; k++) {
      const l = lead[k] as number;
      lowCounts[l & lowMask] = (lowCounts[l & lowMask] as number) + 1;
      const m = (l >>> LOW_BITS) & midMask;
      midCounts[m] = (midCounts[m] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b <= lowMask; b++) {
      const c = lowCounts[b] as number;
      lowCounts[b] = sum;
      sum += c;
    }
    sum = lo;
    for (let b = 0; b <= midMask; b++) {
      const c = midCounts[b] as number;
      midCounts[b] = sum;
      sum += c;
    }
    for (let k = lo; k < hi; k++) {
      const l = lead[k] as number;
      const at = lowCounts[l & lowMask] as number;
      lowCounts[l & lowMask] = at + 1;
      scratchLead[at] = l;
      scratchOrder[at] = order[k] as number;
    }
    for (let k = 0; k < hi - lo; k++) {
      const l = scratchLead[k] as number;
      const m = (l >>> LOW_BITS) & midMask;
      const at = midCounts[m] as number;
      midCounts[m] = at + 1;
      lead[at] = l;
      order[at] = scratchOrder[k] as number;
    }
  }

  for (let k = 0; k + 1 < size; ) {
    const l = lead[k] as number;
    let end = k + 1;
    while (end < size && lead[end] === l) end++;
    if (end - k > 1) sortRun(words, order, k, end);
    k = end;
  }
  return { lead, order, size };
}
