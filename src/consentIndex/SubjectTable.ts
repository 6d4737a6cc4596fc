import { CustosError } from "../errors/index.ts";
import { allocateShared } from "./sharedMemory.ts";
import { byteSwap, SUBJECT_WORDS } from "./subjectKey.ts";

/**
 * Words per record row. A row is one 64-byte cache line (when aligned): a lookup touches one
 * row instead of one line per column (see docs/consent-index.md).
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

const TWO_32 = 2 ** 32;
const MIN_HOMES = 16;
const MAX_LOAD = 0.8;
/** Rows past the last home slot, for clusters running off the end; grown when needed. */
const MIN_TAIL = 64;
const STATUS = ROW_WORDS - 1;

/**
 * Low 32 bits of a uint48 timestamp.
 *
 * @example
 * ```ts
 * timeLow(2 ** 40 + 5); // 5
 * ```
 */
export function timeLow(t: number): number {
  return (t % TWO_32) >>> 0;
}

/**
 * High 16 bits of a uint48 timestamp.
 *
 * @example
 * ```ts
 * timeHigh(2 ** 40 + 5); // 256
 * ```
 */
export function timeHigh(t: number): number {
  return Math.floor(t / TWO_32);
}

function rowsOf(words: number): Uint32Array {
  return new Uint32Array(allocateShared(4 * words));
}

/**
 * Compares the pseudonym in the row at word `b` with `key[o..o+8)` in byte order: < 0 if the
 * row's key sorts first.
 */
function compareRow(rows: Uint32Array, b: number, key: Uint32Array, o: number): number {
  for (let w = 0; w < SUBJECT_WORDS; w++) {
    const x = rows[b + w] as number;
    const y = key[o + w] as number;
    if (x !== y) return byteSwap(x) < byteSwap(y) ? -1 : 1;
  }
  return 0;
}

/**
 * Ordered open-addressing table from 32-byte pseudonyms to 64-byte record rows, all in one
 * typed array: no JS object per subject. Pseudonyms are keyed hashes (uniformly random), so
 * their leading bits are already a good hash, and using them *monotonically* (home slot =
 * leading 32 bits scaled to the table) with ordered linear probing keeps every row in
 * pseudonym byte order. That gives:
 *
 * - one random memory access per lookup (the row is at the slot, no separate index array),
 *   then adjacent rows; an absent key stops at the first greater key;
 * - the sorted order for free: a sorted cohort is decided by walking the table forward
 *   (`mergeCohortBuckets`), and its allowed rows come out in commitment order.
 *
 * The rows live in shared memory (see `allocateShared`) so that cohort workers read the
 * table in place.
 *
 * Records are never deleted (a revocation is a state), so no tombstones. An empty row has
 * status 0; the last row is always empty, which bounds every scan. Slot indices move when
 * later keys are inserted: use an index returned by `find`/`insert` before the next insert.
 *
 * @example
 * ```ts
 * const table = new SubjectTable(1_000_000);
 * const slot = table.find(key, 0) >= 0 ? table.find(key, 0) : table.insert(key, 0);
 * ```
 */
export class SubjectTable {
  /** Rows, `ROW_WORDS` words each, in pseudonym order; empty rows have status 0. */
  rows: Uint32Array;
  #homes: number;
  #size = 0;

  constructor(expectedSubjects: number) {
    const expected = Math.min(MAX_SUBJECTS, Math.ceil(expectedSubjects));
    this.#homes = Math.max(MIN_HOMES, Math.ceil(expected / MAX_LOAD));
    this.rows = rowsOf((this.#homes + MIN_TAIL) * ROW_WORDS);
  }

  /** Number of subjects stored. */
  get size(): number {
    return this.#size;
  }

  /** Subjects the table holds before it doubles. */
  get capacity(): number {
    return Math.floor(this.#homes * MAX_LOAD);
  }

  /** Row slots allocated (home slots plus the tail). */
  get slotCapacity(): number {
    return this.rows.length / ROW_WORDS;
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    return this.rows.byteLength;
  }

  /** Home slots: a pseudonym with leading 32 bits `lead` has home slot ⌊lead × homes / 2^32⌋. */
  get homes(): number {
    return this.#homes;
  }

  #home(w0: number): number {
    // Monotone in the key's leading 32 bits: slot order is pseudonym order.
    return Math.floor((byteSwap(w0) * this.#homes) / TWO_32);
  }

  /** The slot of the pseudonym at `key[offset..offset+8)`, or -1 if absent. */
  find(key: Uint32Array, offset: number): number {
    const rows = this.rows;
    let s = this.#home(key[offset] as number);
    for (;;) {
      const b = s * ROW_WORDS;
      if (rows[b + STATUS] === 0) return -1;
      const c = compareRow(rows, b, key, offset);
      if (c === 0) return s;
      if (c > 0) return -1;
      s++;
    }
  }

  /**
   * Adds a pseudonym known to be absent and returns its slot: a row with the key set, status
   * "revoked" (fail closed until the caller writes the record) and other fields zero.
   * Doubles the table beyond {@link SubjectTable.capacity}.
   *
   * @throws CustosError `CONSENT_INDEX_FULL` beyond {@link MAX_SUBJECTS}.
   */
  insert(key: Uint32Array, offset: number): number {
    if (this.#size === MAX_SUBJECTS) {
      throw new CustosError("CONSENT_INDEX_FULL", "consent index is at its maximum size", {
        details: { maxSubjects: MAX_SUBJECTS },
      });
    }
    if (this.#size + 1 > this.capacity) this.#regrow(this.#homes * 2);
    let s = this.#home(key[offset] as number);
    while (
      this.rows[s * ROW_WORDS + STATUS] !== 0 &&
      compareRow(this.rows, s * ROW_WORDS, key, offset) < 0
    ) {
      s++;
    }
    let e = s;
    while (this.rows[e * ROW_WORDS + STATUS] !== 0) e++;
    if (e + 1 >= this.slotCapacity) this.#extendTail();
    const rows = this.rows;
    rows.copyWithin((s + 1) * ROW_WORDS, s * ROW_WORDS, e * ROW_WORDS);
    const b = s * ROW_WORDS;
    for (let w = 0; w < SUBJECT_WORDS; w++) rows[b + w] = key[offset + w] as number;
    rows.fill(0, b + SUBJECT_WORDS, b + ROW_WORDS);
    rows[b + STATUS] = recordStatus.revoked;
    this.#size++;
    return s;
  }

  /** Slots of the occupied rows of the given ascending ranks (0 = first pseudonym). */
  slotsOfRanks(ranks: readonly number[]): number[] {
    const rows = this.rows;
    const slots: number[] = [];
    let rank = 0;
    let next = 0;
    for (let s = 0; s < this.slotCapacity && next < ranks.length; s++) {
      if (rows[s * ROW_WORDS + STATUS] === 0) continue;
      while (next < ranks.length && ranks[next] === rank) {
        slots.push(s);
        next++;
      }
      rank++;
    }
    return slots;
  }

  #extendTail(): void {
    const grown = rowsOf(this.rows.length + Math.max(MIN_TAIL, this.#homes >>> 4) * ROW_WORDS);
    grown.set(this.rows);
    this.rows = grown;
  }

  /** Re-places all rows for a new home count: one ordered pass, since order is preserved. */
  #regrow(homes: number): void {
    const old = this.rows;
    const oldSlots = old.length / ROW_WORDS;
    this.#homes = homes;
    let rows = rowsOf((homes + MIN_TAIL) * ROW_WORDS);
    let next = 0;
    for (let s = 0; s < oldSlots; s++) {
      const from = s * ROW_WORDS;
      if (old[from + STATUS] === 0) continue;
      const to = Math.max(next, this.#home(old[from] as number));
      if ((to + 2) * ROW_WORDS > rows.length) {
        const grown = rowsOf(rows.length + Math.max(MIN_TAIL, homes >>> 4) * ROW_WORDS);
        grown.set(rows);
        rows = grown;
      }
      const at = to * ROW_WORDS;
      for (let w = 0; w < ROW_WORDS; w++) rows[at + w] = old[from + w] as number;
      next = to + 1;
    }
    this.rows = rows;
  }
}
