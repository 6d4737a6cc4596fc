import { evaluateRow, reasonCode } from "./AccessDecision.ts";
import { ROW_WORDS, rowLayout, type SubjectTable } from "./SubjectTable.ts";
import type { SortedSubjectsSink } from "./sortDistinctSubjects.ts";
import { byteSwap, SUBJECT_WORDS } from "./subjectKey.ts";

/** Top-level buckets: the first key byte. 256 write streams stay within the TLB. */
const TOP = 256;
/** Most entries copied per pass (36 bytes each: key and position), bounding extra memory. */
const PASS_ENTRIES = 1 << 21;
const SMALL_BUCKET = 32;
const SMALL_RUN = 16;
const BLOCK = 1024;

/** The evaluated request of a cohort filter. */
export interface CohortFilterRequest {
  readonly use: number;
  readonly categories: number;
  readonly at: number;
}

/** Outcome of {@link cohortFilter}. */
export interface CohortFilterResult {
  /** Bit i set: input position i is allowed (bit i of word i >>> 5). */
  readonly allowedBits: Uint32Array;
  readonly allowedCount: number;
  /** Denials per reason code (index = reason code); malformed entries are not counted. */
  readonly denied: Float64Array;
}

/** Byte-order comparison of keys `a` and `b` of `keys` after their equal leading word. */
function compareTails(keys: Uint32Array, a: number, b: number): number {
  const ao = a * SUBJECT_WORDS;
  const bo = b * SUBJECT_WORDS;
  for (let w = 1; w < SUBJECT_WORDS; w++) {
    const x = keys[ao + w] as number;
    const y = keys[bo + w] as number;
    if (x !== y) return byteSwap(x) < byteSwap(y) ? -1 : 1;
  }
  return 0;
}

/** Sorts `idx[lo, hi)` (equal leading words) by the rest of the key. */
function sortRun(keys: Uint32Array, idx: Uint32Array, lo: number, hi: number): void {
  if (hi - lo <= SMALL_RUN) {
    for (let i = lo + 1; i < hi; i++) {
      const p = idx[i] as number;
      let j = i - 1;
      while (j >= lo && compareTails(keys, idx[j] as number, p) > 0) {
        idx[j + 1] = idx[j] as number;
        j--;
      }
      idx[j + 1] = p;
    }
    return;
  }
  // Only crafted input shares a 32-bit prefix in bulk: keep it O(r log r).
  const run = Array.from(idx.subarray(lo, hi));
  run.sort((a, b) => compareTails(keys, a, b));
  idx.set(run, lo);
}

/**
 * Orders the keys `keys[lo, hi)` (which share their first two bytes) into `lead`/`idx[0, n)`:
 * leading words and key numbers ascending, by two 8-bit counting passes over the low 16 bits
 * of the leading word (insertion sort for a few keys), then the rare runs of equal leading
 * words by the full key. Everything here is a few KiB: it runs in L1.
 */
function sortGroup(
  keys: Uint32Array,
  lo: number,
  hi: number,
  lead: Uint32Array,
  idx: Uint32Array,
  tmpLead: Uint32Array,
  tmpIdx: Uint32Array,
  counts: Uint32Array,
): void {
  const n = hi - lo;
  if (n <= SMALL_BUCKET) {
    for (let k = 0; k < n; k++) {
      const l = byteSwap(keys[(lo + k) * SUBJECT_WORDS] as number);
      let j = k - 1;
      while (j >= 0 && (lead[j] as number) > l) {
        lead[j + 1] = lead[j] as number;
        idx[j + 1] = idx[j] as number;
        j--;
      }
      lead[j + 1] = l;
      idx[j + 1] = lo + k;
    }
  } else {
    counts.fill(0);
    for (let k = 0; k < n; k++) {
      const l = byteSwap(keys[(lo + k) * SUBJECT_WORDS] as number);
      tmpLead[k] = l;
      const d = l & 0xff;
      counts[d] = (counts[d] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const l = tmpLead[k] as number;
      const at = counts[l & 0xff] as number;
      counts[l & 0xff] = at + 1;
      lead[at] = l;
      idx[at] = lo + k;
    }
    counts.fill(0);
    for (let k = 0; k < n; k++) {
      const d = ((lead[k] as number) >>> 8) & 0xff;
      counts[d] = (counts[d] as number) + 1;
    }
    sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const l = lead[k] as number;
      const d = (l >>> 8) & 0xff;
      const at = counts[d] as number;
      counts[d] = at + 1;
      tmpLead[at] = l;
      tmpIdx[at] = idx[k] as number;
    }
    lead.set(tmpLead.subarray(0, n));
    idx.set(tmpIdx.subarray(0, n));
  }
  for (let k = 0; k + 1 < n; ) {
    const l = lead[k] as number;
    let end = k + 1;
    while (end < n && lead[end] === l) end++;
    if (end - k > 1) sortRun(keys, idx, k, end);
    k = end;
  }
}

/**
 * Splits one top bucket `keys/positions[lo, hi)` by the keys' second byte into
 * `outKeys/outPositions[0, hi - lo)`, recording group starts in `groupStarts[0..256]`.
 */
function splitBySecondByte(
  keys: Uint32Array,
  positions: Uint32Array,
  lo: number,
  hi: number,
  outKeys: Uint32Array,
  outPositions: Uint32Array,
  groupStarts: Uint32Array,
  cursor: Uint32Array,
): void {
  groupStarts.fill(0);
  for (let k = lo; k < hi; k++) {
    const d = ((keys[k * SUBJECT_WORDS] as number) >>> 8) & 0xff;
    groupStarts[d + 1] = (groupStarts[d + 1] as number) + 1;
  }
  for (let d = 0; d < 256; d++) {
    groupStarts[d + 1] = (groupStarts[d + 1] as number) + (groupStarts[d] as number);
    cursor[d] = groupStarts[d] as number;
  }
  for (let k = lo; k < hi; k++) {
    const from = k * SUBJECT_WORDS;
    const d = ((keys[from] as number) >>> 8) & 0xff;
    const to = cursor[d] as number;
    cursor[d] = to + 1;
    const o = to * SUBJECT_WORDS;
    for (let w = 0; w < SUBJECT_WORDS; w++) outKeys[o + w] = keys[from + w] as number;
    outPositions[to] = positions[k] as number;
  }
}

/** Counts the valid keys per first byte into `starts[d + 1]` and records each key's first byte. */
function countTops(
  words: Uint32Array,
  count: number,
  invalid: Uint8Array | null,
  topOf: Uint8Array,
  starts: Uint32Array,
): void {
  for (let i = 0; i < count; i++) {
    if (invalid !== null && invalid[i] === 1) continue;
    const d = (words[i * SUBJECT_WORDS] as number) & 0xff;
    topOf[i] = d;
    starts[d + 1] = (starts[d + 1] as number) + 1;
  }
}

/** Copies the valid keys whose first byte is in `[first, last)` into their buckets. */
function gather(
  words: Uint32Array,
  count: number,
  invalid: Uint8Array | null,
  topOf: Uint8Array,
  first: number,
  last: number,
  cursor: Uint32Array,
  keys: Uint32Array,
  positions: Uint32Array,
): void {
  for (let i = 0; i < count; i++) {
    const d = topOf[i] as number;
    if (d < first || d >= last || (invalid !== null && invalid[i] === 1)) continue;
    const to = cursor[d] as number;
    cursor[d] = to + 1;
    const o = to * SUBJECT_WORDS;
    const from = i * SUBJECT_WORDS;
    for (let w = 0; w < SUBJECT_WORDS; w++) keys[o + w] = words[from + w] as number;
    positions[to] = i;
  }
}

/** Walks the table forward alongside sorted keys, deciding each and emitting allowed rows. */
class TableWalk {
  readonly #table: SubjectTable;
  readonly #rows: Uint32Array;
  readonly #end: number;
  readonly #use: number;
  readonly #categories: number;
  readonly #at: number;
  readonly #sink: SortedSubjectsSink;
  readonly #block = new Uint32Array(BLOCK * SUBJECT_WORDS);
  /** Allowed input positions, in key order. */
  readonly allowed: Uint32Array;
  readonly denied = new Float64Array(reasonCode.INDEX_ERROR + 1);
  allowedCount = 0;
  #filled = 0;
  #lastEmitted = -1;
  #slot = 0;

  constructor(table: SubjectTable, count: number, request: CohortFilterRequest, sink: SortedSubjectsSink) {
    this.#table = table;
    this.#rows = table.rows;
    this.#end = table.slotCapacity;
    this.#use = request.use;
    this.#categories = request.categories;
    this.#at = request.at;
    this.#sink = sink;
    this.allowed = new Uint32Array(count);
  }

  /** The slot holding the key `keys[key]` with leading word `l`, or -1; keys come ascending. */
  #find(l: number, keys: Uint32Array, key: number): number {
    const rows = this.#rows;
    const end = this.#end;
    let s = this.#slot;
    const home = this.#table.homeOfLead(l);
    if (s < home) s = home;
    while (s < end && byteSwap(rows[s * ROW_WORDS] as number) < l) s++;
    this.#slot = s;
    const o = key * SUBJECT_WORDS;
    for (let t = s; t < end; t++) {
      const b = t * ROW_WORDS;
      if (rows[b + rowLayout.status] === 0 || byteSwap(rows[b] as number) !== l) return -1;
      for (let w = 1; w < SUBJECT_WORDS; w++) {
        const x = rows[b + w] as number;
        const y = keys[o + w] as number;
        if (x !== y) {
          if (byteSwap(x) > byteSwap(y)) return -1;
          break;
        }
        if (w === SUBJECT_WORDS - 1) return t;
      }
    }
    return -1;
  }

  merge(keys: Uint32Array, positions: Uint32Array, lead: Uint32Array, idx: Uint32Array, n: number): void {
    const rows = this.#rows;
    const allowed = this.allowed;
    const denied = this.denied;
    for (let k = 0; k < n; k++) {
      const key = idx[k] as number;
      const found = this.#find(lead[k] as number, keys, key);
      if (found < 0) {
        denied[reasonCode.UNKNOWN_SUBJECT] = (denied[reasonCode.UNKNOWN_SUBJECT] as number) + 1;
        continue;
      }
      const b = found * ROW_WORDS;
      const reason = evaluateRow(rows, b, this.#use, this.#categories, this.#at);
      if (reason !== reasonCode.PERMITTED) {
        denied[reason] = (denied[reason] as number) + 1;
        continue;
      }
      allowed[this.allowedCount++] = positions[key] as number;
      if (found !== this.#lastEmitted) this.#emit(found);
    }
  }

  #emit(slot: number): void {
    this.#lastEmitted = slot;
    const b = slot * ROW_WORDS;
    const f = this.#filled * SUBJECT_WORDS;
    for (let w = 0; w < SUBJECT_WORDS; w++) this.#block[f + w] = this.#rows[b + w] as number;
    if (++this.#filled === BLOCK) this.flush();
  }

  flush(): void {
    if (this.#filled > 0) this.#sink(this.#block, this.#filled);
    this.#filled = 0;
  }
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

/** Ends of the passes: runs of consecutive buckets with at most PASS_ENTRIES entries (or one). */
function passEnds(starts: Uint32Array): number[] {
  const ends: number[] = [];
  for (let d = 0; d < TOP; ) {
    let e = d + 1;
    while (e < TOP && (starts[e + 1] as number) - (starts[d] as number) <= PASS_ENTRIES) e++;
    ends.push(e);
    d = e;
  }
  return ends;
}

/**
 * Decides a cohort against the table and streams the allowed set, distinct and in pseudonym
 * order, to `sink`. At 10 M subjects a random lookup costs a cache and a TLB miss on the
 * table (~130–190 ns), and a sort by (key prefix, position) would only move those misses to
 * the input keys. So the keys themselves are sorted: copied, by their first byte, into 256
 * buckets (256 write streams stay within the TLB), each bucket (~40 k keys at 10 M, in L2/L3)
 * then ordered by a radix sort of its leading words with the rare equal leading words
 * resolved on the full key. The table is in the same (pseudonym) order, so it is walked
 * forward alongside each sorted bucket, jumping to an entry's home slot when that is further
 * (sparse cohorts): every access to a large array is sequential or within a cached bucket.
 *
 * Buckets are copied in passes of at most 2^21 entries to bound the extra memory (~75 MB).
 * Allowed rows come out in pseudonym order, so their keys go straight to `sink` (distinct,
 * ascending, in blocks) for the commitment; allowed input positions are returned as a bitset.
 *
 * @example
 * ```ts
 * const { allowedCount } = cohortFilter(table, words, n, null, { use, categories, at }, sink);
 * ```
 */
export function cohortFilter(
  table: SubjectTable,
  words: Uint32Array,
  count: number,
  invalid: Uint8Array | null,
  request: CohortFilterRequest,
  sink: SortedSubjectsSink,
): CohortFilterResult {
  const T: any = ((globalThis as any).T = { hist: 0, scatter: 0, sort: 0, merge: 0 }); let t0 = performance.now();
  const topOf = new Uint8Array(count);
  const starts = new Uint32Array(TOP + 1);
  countTops(words, count, invalid, topOf, starts);
  let largestBucket = 0;
  for (let d = 0; d < TOP; d++) {
    largestBucket = Math.max(largestBucket, starts[d + 1] as number);
    starts[d + 1] = (starts[d + 1] as number) + (starts[d] as number);
  }
  T.hist += performance.now() - t0; t0 = performance.now();
  const ends = passEnds(starts);
  let largestPass = 0;
  let first = 0;
  for (const last of ends) {
    largestPass = Math.max(largestPass, (starts[last] as number) - (starts[first] as number));
    first = last;
  }
  const keys = new Uint32Array(largestPass * SUBJECT_WORDS);
  const positions = new Uint32Array(largestPass);
  const groupKeys = new Uint32Array(largestBucket * SUBJECT_WORDS);
  const groupPositions = new Uint32Array(largestBucket);
  const groupStarts = new Uint32Array(257);
  const lead = new Uint32Array(largestBucket);
  const idx = new Uint32Array(largestBucket);
  const tmpLead = new Uint32Array(largestBucket);
  const tmpIdx = new Uint32Array(largestBucket);
  const counts = new Uint32Array(256);
  const cursor = new Uint32Array(TOP);
  const walk = new TableWalk(table, count, request, sink);
  first = 0;
  for (const last of ends) {
    const base = starts[first] as number;
    if ((starts[last] as number) > base) {
      for (let d = first; d < last; d++) cursor[d] = (starts[d] as number) - base;
      gather(words, count, invalid, topOf, first, last, cursor, keys, positions);
      for (let d = first; d < last; d++) {
        const lo = (starts[d] as number) - base;
        const hi = (starts[d + 1] as number) - base;
        if (lo === hi) continue;
        splitBySecondByte(keys, positions, lo, hi, groupKeys, groupPositions, groupStarts, counts);
        for (let g = 0; g < 256; g++) {
          const a = groupStarts[g] as number;
          const b = groupStarts[g + 1] as number;
          if (a === b) continue;
          sortGroup(groupKeys, a, b, lead, idx, tmpLead, tmpIdx, counts);
          walk.merge(groupKeys, groupPositions, lead, idx, b - a);
        }
      }
    }
    first = last;
  }
  walk.flush();
  return {
    allowedBits: positionBits(walk.allowed, walk.allowedCount, count),
    allowedCount: walk.allowedCount,
    denied: walk.denied,
  };
}
