const SAFE = 2 ** 53;
const DIRECT_LIMIT = 1 << 22;

/** One grouping dimension: row `i` has value `map[codes[i]]` in `[0, radix)`. */
export interface GroupDimension {
  readonly codes: Int32Array;
  readonly map: Int32Array;
  readonly radix: number;
}

/**
 * Groups rows by the tuple of their mapped codes, numbering groups densely in order of first
 * appearance. Tuples are packed into one exact integer key (mixed radix, below 2^53; when a
 * product would overflow, the partial keys are densified first), then deduplicated through a
 * direct-address table when the key space is small or an open-addressing hash table. Buffers
 * are reused between calls: this is the hot path of the lattice search.
 */
export class Grouper {
  #keys = new Float64Array(0);
  #direct = new Int32Array(0);
  #slotKeys = new Float64Array(0);
  #slotIds = new Int32Array(0);

  /** Writes each row's group into `out` (length ≥ rows) and returns the number of groups. */
  group(rows: number, dims: readonly GroupDimension[], out: Int32Array): number {
    if (this.#keys.length < rows) this.#keys = new Float64Array(rows);
    const keys = this.#keys;
    keys.fill(0, 0, rows);
    let span = 1;
    for (const dim of dims) {
      if (dim.radix <= 1) continue;
      if (span * dim.radix > SAFE) {
        span = this.#densify(rows, span, out);
        for (let i = 0; i < rows; i++) keys[i] = out[i] as number;
      }
      const { codes, map, radix } = dim;
      for (let i = 0; i < rows; i++) {
        keys[i] = (keys[i] as number) * radix + (map[codes[i] as number] as number);
      }
      span *= radix;
    }
    return this.#densify(rows, span, out);
  }

  #densify(rows: number, span: number, out: Int32Array): number {
    const keys = this.#keys;
    let next = 0;
    if (span <= DIRECT_LIMIT && span <= rows * 4 + 1024) {
      if (this.#direct.length < span) this.#direct = new Int32Array(span);
      const direct = this.#direct;
      direct.fill(-1, 0, span);
      for (let i = 0; i < rows; i++) {
        const key = keys[i] as number;
        let id = direct[key] as number;
        if (id < 0) {
          id = next++;
          direct[key] = id;
        }
        out[i] = id;
      }
      return next;
    }
    let capacity = 1024;
    while (capacity < rows * 2) capacity *= 2;
    if (this.#slotIds.length < capacity) {
      this.#slotIds = new Int32Array(capacity);
      this.#slotKeys = new Float64Array(capacity);
    }
    const ids = this.#slotIds;
    const slotKeys = this.#slotKeys;
    ids.fill(-1, 0, capacity);
    const mask = capacity - 1;
    for (let i = 0; i < rows; i++) {
      const key = keys[i] as number;
      const high = (key / 4294967296) | 0;
      let h = Math.imul((key >>> 0) ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
      h ^= h >>> 15;
      let slot = h & mask;
      for (;;) {
        const id = ids[slot] as number;
        if (id < 0) {
          ids[slot] = next;
          slotKeys[slot] = key;
          out[i] = next++;
          break;
        }
        if (slotKeys[slot] === key) {
          out[i] = id;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return next;
  }
}
