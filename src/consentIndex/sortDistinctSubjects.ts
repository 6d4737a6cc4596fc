import { byteSwap, compareSubjects, SUBJECT_WORDS } from "./subjectKey.ts";

const TOP_BITS = 11;
const BUCKETS = 1 << TOP_BITS;
const SMALL_RUN = 32;

/** Receives consecutive blocks of sorted distinct pseudonyms; `words` is reused after return. */
export type SortedSubjectsSink = (words: Uint32Array, count: number) => void;

function insertionSort(
  keys: Uint32Array,
  base: number,
  order: Uint32Array,
  lo: number,
  hi: number,
) {
  for (let i = lo + 1; i < hi; i++) {
    const item = order[i] as number;
    const itemOffset = (base + item) * SUBJECT_WORDS;
    let j = i - 1;
    while (
      j >= lo &&
      compareSubjects(keys, (base + (order[j] as number)) * SUBJECT_WORDS, keys, itemOffset) > 0
    ) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = item;
  }
}

function sortRun(keys: Uint32Array, base: number, order: Uint32Array, lo: number, hi: number) {
  if (hi - lo <= SMALL_RUN) {
    insertionSort(keys, base, order, lo, hi);
    return;
  }
  // Only pseudonyms sharing their leading ~22 bits get here in bulk: with keyed hashes that is
  // ~n/4M per run, so a comparison sort is the rare path, kept for adversarial inputs.
  const run = Array.from(order.subarray(lo, hi));
  run.sort((a, b) =>
    compareSubjects(keys, (base + a) * SUBJECT_WORDS, keys, (base + b) * SUBJECT_WORDS),
  );
  order.set(run, lo);
}

function equalAt(a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
  for (let w = 0; w < SUBJECT_WORDS; w++) if (a[ao + w] !== b[bo + w]) return false;
  return true;
}

/**
 * Sorts the pseudonyms `src[p*8..p*8+8)` for the first `count` positions `p` of `positions`
 * (or 0..count-1 when null) in lexicographic byte order, drops duplicates, and streams them
 * to `sink` in blocks. A two-level radix sort on typed arrays: one scatter of whole keys by
 * their top 11 bits into buckets that fit in cache, then per bucket a counting sort on the
 * next (up to 11) bits; the rare ties left (same leading bits) are finished by insertion sort.
 * Memory: one copy of the keys (32 bytes per key) plus one bucket of scratch.
 *
 * @example
 * ```ts
 * sortDistinctSubjects(words, null, words.length / 8, (block, n) => hasher.push(block, n));
 * ```
 */
export function sortDistinctSubjects(
  src: Uint32Array,
  positions: Uint32Array | null,
  count: number,
  sink: SortedSubjectsSink,
): void {
  if (count === 0) return;
  const starts = new Uint32Array(BUCKETS + 1);
  for (let k = 0; k < count; k++) {
    const p = positions === null ? k : (positions[k] as number);
    const d = byteSwap(src[p * SUBJECT_WORDS] as number) >>> (32 - TOP_BITS);
    starts[d + 1] = (starts[d + 1] as number) + 1;
  }
  let largest = 0;
  for (let d = 0; d < BUCKETS; d++) {
    const size = starts[d + 1] as number;
    if (size > largest) largest = size;
    starts[d + 1] = size + (starts[d] as number);
  }
  const keys = new Uint32Array(count * SUBJECT_WORDS);
  const cursor = starts.slice(0, BUCKETS);
  for (let k = 0; k < count; k++) {
    const s = (positions === null ? k : (positions[k] as number)) * SUBJECT_WORDS;
    const w0 = src[s] as number;
    const d = byteSwap(w0) >>> (32 - TOP_BITS);
    const at = cursor[d] as number;
    cursor[d] = at + 1;
    const o = at * SUBJECT_WORDS;
    keys[o] = w0;
    keys[o + 1] = src[s + 1] as number;
    keys[o + 2] = src[s + 2] as number;
    keys[o + 3] = src[s + 3] as number;
    keys[o + 4] = src[s + 4] as number;
    keys[o + 5] = src[s + 5] as number;
    keys[o + 6] = src[s + 6] as number;
    keys[o + 7] = src[s + 7] as number;
  }

  const order = new Uint32Array(largest);
  const out = new Uint32Array(largest * SUBJECT_WORDS);
  const subStarts = new Uint32Array(BUCKETS + 1);
  const subCursor = new Uint32Array(BUCKETS);
  for (let d = 0; d < BUCKETS; d++) {
    const base = starts[d] as number;
    const size = (starts[d + 1] as number) - base;
    if (size === 0) continue;
    if (size <= SMALL_RUN) {
      for (let i = 0; i < size; i++) order[i] = i;
      insertionSort(keys, base, order, 0, size);
    } else {
      // About one key per sub-bucket: fewer sub-buckets for small buckets keeps the passes
      // over the counters proportional to the bucket.
      const subBits = Math.min(TOP_BITS, 31 - Math.clz32(size));
      const subCount = 1 << subBits;
      const shift = 32 - TOP_BITS - subBits;
      const subMask = subCount - 1;
      subStarts.fill(0, 0, subCount + 1);
      for (let i = 0; i < size; i++) {
        const sd = (byteSwap(keys[(base + i) * SUBJECT_WORDS] as number) >>> shift) & subMask;
        subStarts[sd + 1] = (subStarts[sd + 1] as number) + 1;
      }
      for (let sd = 0; sd < subCount; sd++) {
        subStarts[sd + 1] = (subStarts[sd + 1] as number) + (subStarts[sd] as number);
      }
      subCursor.set(subStarts.subarray(0, subCount));
      for (let i = 0; i < size; i++) {
        const sd = (byteSwap(keys[(base + i) * SUBJECT_WORDS] as number) >>> shift) & subMask;
        const at = subCursor[sd] as number;
        subCursor[sd] = at + 1;
        order[at] = i;
      }
      for (let sd = 0; sd < subCount; sd++) {
        const lo = subStarts[sd] as number;
        const hi = subStarts[sd + 1] as number;
        if (hi - lo > 1) sortRun(keys, base, order, lo, hi);
      }
    }
    let n = 0;
    for (let i = 0; i < size; i++) {
      const s = (base + (order[i] as number)) * SUBJECT_WORDS;
      if (n > 0 && equalAt(out, (n - 1) * SUBJECT_WORDS, keys, s)) continue;
      const o = n * SUBJECT_WORDS;
      for (let w = 0; w < SUBJECT_WORDS; w++) out[o + w] = keys[s + w] as number;
      n++;
    }
    sink(out, n);
  }
}
