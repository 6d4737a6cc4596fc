/** Where the merge left a slice of allowed input positions: `pairs[2 × (first + k)]`, k < count. */
export interface AllowedSlice {
  readonly first: number;
  readonly count: number;
}

/**
 * Sets bit p (bit p & 31 of word p >>> 5) of `bits` for every allowed input position p of
 * `slices` whose word lies in `[wordFrom, wordTo)`, after clearing those words. The writes
 * of one range stay within its part of the bitset, so ranges can be marked in parallel.
 *
 * @returns the number of positions marked.
 * @example
 * ```ts
 * const count = markAllowedPositions(pairs, [{ first: 0, count: allowed }], bits, 0, bits.length);
 * ```
 */
export function markAllowedPositions(
  pairs: Uint32Array,
  slices: readonly AllowedSlice[],
  bits: Uint32Array,
  wordFrom: number,
  wordTo: number,
): number {
  bits.fill(0, wordFrom, wordTo);
  let marked = 0;
  for (const { first, count } of slices) {
    for (let k = first; k < first + count; k++) {
      const p = pairs[2 * k] as number;
      const w = p >>> 5;
      if (w < wordFrom || w >= wordTo) continue;
      bits[w] = (bits[w] as number) | (1 << (p & 31));
      marked++;
    }
  }
  return marked;
}

/**
 * The positions whose bits are set in `bits[wordFrom, wordTo)`, ascending, written to `out`
 * from `at` on.
 *
 * @example
 * ```ts
 * const out = new Uint32Array(count);
 * listAllowedPositions(bits, 0, bits.length, out, 0);
 * ```
 */
export function listAllowedPositions(
  bits: Uint32Array,
  wordFrom: number,
  wordTo: number,
  out: Uint32Array,
  at: number,
): void {
  let a = at;
  for (let w = wordFrom; w < wordTo; w++) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      out[a++] = w * 32 + 31 - Math.clz32(low);
      word ^= low;
    }
  }
}
