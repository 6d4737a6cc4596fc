/** Where the merge left a slice of allowed input positions: `pairs[2 × (first + k)]`, k < count. */
export interface AllowedSlice {
  readonly first: number;
  readonly count: number;
}

/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Clears `bits` and sets bit p (bit p & 31 of word p >>> 5) for the allowed input positions
 * `[from, to)` of `slices` (counted across the slices in order). Each commit task marks its
 * own share into its own bitset: every position is read once in all, and no two tasks write
 * one word (their bitsets are united when listed).
 *
 * @returns per range `[wordCuts[r], wordCuts[r + 1])` of `bits`, the number of bits set in it.
 * @example
 * ```ts
 * const [count] = markAllowedPositions(pairs, [{ first: 0, count: allowed }], 0, allowed, bits, [0, bits.length]);
 * ```
 */
export function markAllowedPositions(
  pairs: Uint32Array,
  slices: readonly AllowedSlice[],
  from: number,
  to: number,
  bits: Uint32Array,
  wordCuts: readonly number[],
): number[] {
  bits.fill(0);
  let before = 0;
  for (const { first, count } of slices) {
    const lo = Math.max(from, before);
    const hi = Math.min(to, before + count);
    for (let k = first + lo - before; k < first + hi - before; k++) {
      const p = pairs[2 * k] as number;
      const w = p >>> 5;
      bits[w] = (bits[w] as number) | (1 << (p & 31));
    }
    before += count;
  }
  const marked: number[] = [];
  for (let r = 0; r + 1 < wordCuts.length; r++) {
    let n = 0;
    for (let w = wordCuts[r] as number; w < (wordCuts[r + 1] as number); w++) {
      n += popcount(bits[w] as number);
    }
    marked.push(n);
  }
  return marked;
}

/**
 * The positions set in words `[wordFrom, wordTo)` of any of `bitsets` bitsets of `words`
 * words each (laid out one after the other in `bits`), ascending, written to `out` from `at`
 * on.
 *
 * @example
 * ```ts
 * const out = new Uint32Array(count);
 * listAllowedPositions(bits, 1, bits.length, 0, bits.length, out, 0);
 * ```
 */
export function listAllowedPositions(
  bits: Uint32Array,
  bitsets: number,
  words: number,
  wordFrom: number,
  wordTo: number,
  out: Uint32Array,
  at: number,
): void {
  let a = at;
  for (let w = wordFrom; w < wordTo; w++) {
    let word = 0;
    for (let b = 0; b < bitsets; b++) word |= bits[b * words + w] as number;
    while (word !== 0) {
      const low = word & -word;
      out[a++] = w * 32 + 31 - Math.clz32(low);
      word ^= low;
    }
  }
}
