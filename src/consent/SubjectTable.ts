import { CustosError } from "../errors/index.ts";
import { SUBJECT_WORDS } from "./subjectKey.ts";

/**
 * Words per record row. A row is exactly one 64-byte cache line: a lookup touches one hash
 * slot and one row, instead of one line per column (measured in docs/consent-index.md).
 */
export const ROW_WORDS = 16;

/** Word offsets inside a row (words 0–7 hold the pseudonym). */
export const rowLayout = {
  purposes: 8,
  categories: 9,
  validFromLow: 10,
  validUntilLow: 11,
  /** Bits 0–15: validFrom bits 32–47; bits 16–31: validUntil bits 32–47. */
  timeHigh: 12,
  version: 13,
  custodian: 14,
  status: 15,
} as const;

/** Stored status values, as in the contract's enum. */
export const recordStatus = { none: 0, active: 1, revoked: 2 } as const;

/** Largest timestamp a row stores exactly (uint48, as OpenZeppelin's time points). */
export const MAX_TIMESTAMP = 2 ** 48 - 1;

/** Most subjects one table holds: 2^28 rows of 64 bytes = 16 GiB, far beyond any hospital. */
export const MAX_SUBJECTS = 2 ** 28;

/** Largest `count` of {@link SubjectTable.findBatch}. */
export const LOOKUP_BATCH = 64;

const TWO_32 = 2 ** 32;
const MIN_CAPACITY = 16;
const MAX_LOAD = 0.75;

function slotBitsFor(capacity: number): number {
  let bits = 4;
  while (2 ** bits * MAX_LOAD < capacity) bits++;
  return bits;
}

/** Low 32 bits of a uint48 timestamp. */
export function timeLow(t: number): number {
  return (t % TWO_32) >>> 0;
}

/** High 16 bits of a uint48 timestamp. */
export function timeHigh(t: number): number {
  return Math.floor(t / TWO_32);
}

/**
 * Open-addressing hash table from 32-byte pseudonyms to dense record rows, all on typed
 * arrays: no JS object per subject. Pseudonyms are keyed hashes (uniformly random), so
 * two of their words mixed by a multiply are a good hash; linear probing keeps probes on
 * adjacent slots. Records are never deleted (a revocation is a state), so no tombstones.
 *
 * Rows live in `rows` (16 words per record, see {@link rowLayout}); `rows` is replaced when
 * the table grows, so read it again after any insert.
 */
export class SubjectTable {
  /** Record rows, `ROW_WORDS` words each; the first `size` rows are in use. */
  rows: Uint32Array;
  #slots: Uint32Array;
  #shift: number;
  #size = 0;
  readonly #entries = new Uint32Array(LOOKUP_BATCH);
  readonly #slotOf = new Uint32Array(LOOKUP_BATCH);
  readonly #pending = new Uint32Array(LOOKUP_BATCH);
  /** XOR of the words findBatch pre-loads; read so the compiler cannot drop those loads. */
  touched = 0;

  constructor(expectedSubjects: number) {
    const capacity = Math.max(MIN_CAPACITY, Math.min(MAX_SUBJECTS, Math.ceil(expectedSubjects)));
    this.rows = new Uint32Array(capacity * ROW_WORDS);
    const bits = slotBitsFor(capacity);
    this.#slots = new Uint32Array(2 ** bits);
    this.#shift = 32 - bits;
  }

  /** Number of subjects stored. */
  get size(): number {
    return this.#size;
  }

  /** Rows allocated. */
  get capacity(): number {
    return this.rows.length / ROW_WORDS;
  }

  /** Hash slots allocated. */
  get slotCapacity(): number {
    return this.#slots.length;
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    return this.rows.byteLength + this.#slots.byteLength;
  }

  /** The record index of the pseudonym at `key[offset..offset+8)`, or -1 if absent. */
  find(key: Uint32Array, offset: number): number {
    const rows = this.rows;
    const slots = this.#slots;
    const mask = slots.length - 1;
    const w0 = key[offset] as number;
    let s =
      Math.imul(w0 ^ Math.imul(key[offset + 7] as number, 0x85ebca6b), 0x9e3779b1) >>> this.#shift;
    for (;;) {
      const entry = slots[s] as number;
      if (entry === 0) return -1;
      const b = (entry - 1) * ROW_WORDS;
      if (
        rows[b] === w0 &&
        rows[b + 1] === key[offset + 1] &&
        rows[b + 2] === key[offset + 2] &&
        rows[b + 3] === key[offset + 3] &&
        rows[b + 4] === key[offset + 4] &&
        rows[b + 5] === key[offset + 5] &&
        rows[b + 6] === key[offset + 6] &&
        rows[b + 7] === key[offset + 7]
      ) {
        return entry - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /**
   * Looks up `count` consecutive pseudonyms `keys[(first + j) * 8 ..]` into `out[j]` (record
   * index or -1). Same answers as {@link SubjectTable.find}, but loads all slots first, then
   * all rows, so that the CPU keeps many cache misses in flight instead of one at a time:
   * at 10 M subjects every slot and row access is a DRAM (and TLB) miss.
   */
  findBatch(keys: Uint32Array, first: number, count: number, out: Int32Array): void {
    const rows = this.rows;
    const slots = this.#slots;
    const mask = slots.length - 1;
    const shift = this.#shift;
    const entries = this.#entries;
    const slotOf = this.#slotOf;
    const pending = this.#pending;
    for (let j = 0; j < count; j++) {
      const o = (first + j) * SUBJECT_WORDS;
      slotOf[j] =
        Math.imul(
          (keys[o] as number) ^ Math.imul(keys[o + 7] as number, 0x85ebca6b),
          0x9e3779b1,
        ) >>> shift;
      pending[j] = j;
    }
    // Probe rounds: a key not in its first slot is retried in the next round together with
    // the others, so even collisions cost overlapped misses rather than serial ones.
    let open = count;
    let touched = 0;
    while (open > 0) {
      for (let k = 0; k < open; k++) {
        const j = pending[k] as number;
        entries[j] = slots[slotOf[j] as number] as number;
      }
      // Both ends of each row: typed-array memory is only 16-byte aligned, so a 64-byte row
      // may straddle two cache lines, and the caller reads the far end (status, validity).
      for (let k = 0; k < open; k++) {
        const entry = entries[pending[k] as number] as number;
        if (entry !== 0) {
          const b = (entry - 1) * ROW_WORDS;
          touched ^= (rows[b] as number) ^ (rows[b + ROW_WORDS - 1] as number);
        }
      }
      let still = 0;
      for (let k = 0; k < open; k++) {
        const j = pending[k] as number;
        const entry = entries[j] as number;
        if (entry === 0) {
          out[j] = -1;
          continue;
        }
        const o = (first + j) * SUBJECT_WORDS;
        const b = (entry - 1) * ROW_WORDS;
        if (
          rows[b] === keys[o] &&
          rows[b + 1] === keys[o + 1] &&
          rows[b + 2] === keys[o + 2] &&
          rows[b + 3] === keys[o + 3] &&
          rows[b + 4] === keys[o + 4] &&
          rows[b + 5] === keys[o + 5] &&
          rows[b + 6] === keys[o + 6] &&
          rows[b + 7] === keys[o + 7]
        ) {
          out[j] = entry - 1;
        } else {
          slotOf[j] = ((slotOf[j] as number) + 1) & mask;
          pending[still++] = j;
        }
      }
      open = still;
    }
    this.touched = touched;
  }

  /**
   * Adds a pseudonym known to be absent and returns its new record index (a zeroed row with
   * the key set). Doubles rows and slots as needed.
   *
   * @throws CustosError `CONSENT_INDEX_FULL` beyond {@link MAX_SUBJECTS}.
   */
  insert(key: Uint32Array, offset: number): number {
    const index = this.#size;
    if (index === MAX_SUBJECTS) {
      throw new CustosError("CONSENT_INDEX_FULL", "consent index is at its maximum size", {
        details: { maxSubjects: MAX_SUBJECTS },
      });
    }
    if (index === this.capacity) {
      const grown = new Uint32Array(Math.min(MAX_SUBJECTS, this.capacity * 2) * ROW_WORDS);
      grown.set(this.rows);
      this.rows = grown;
    }
    if (index + 1 > this.#slots.length * MAX_LOAD) this.#rehash(this.#slots.length * 2);
    for (let w = 0; w < SUBJECT_WORDS; w++) {
      this.rows[index * ROW_WORDS + w] = key[offset + w] as number;
    }
    this.#place(index);
    this.#size = index + 1;
    return index;
  }

  #place(index: number): void {
    const rows = this.rows;
    const slots = this.#slots;
    const mask = slots.length - 1;
    const b = index * ROW_WORDS;
    let s =
      Math.imul((rows[b] as number) ^ Math.imul(rows[b + 7] as number, 0x85ebca6b), 0x9e3779b1) >>>
      this.#shift;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = index + 1;
  }

  #rehash(slotCount: number): void {
    this.#slots = new Uint32Array(slotCount);
    this.#shift = 32 - Math.log2(slotCount);
    for (let i = 0; i < this.#size; i++) this.#place(i);
  }
}
