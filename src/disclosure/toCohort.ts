import { CustosError } from "../errors/index.ts";

/**
 * A cohort as callers hold it: a strictly increasing `Uint32Array` of subject ids (used as
 * is), or any array / set of uint32 ids (sorted and de-duplicated).
 */
export type CohortInput = Uint32Array | readonly number[] | ReadonlySet<number>;

function invalid(shortMessage: string, position: number, value: unknown): never {
  throw new CustosError("DISCLOSURE_INVALID_COHORT", shortMessage, {
    details: { position, value: String(value) },
  });
}

/**
 * Normalises a cohort to a strictly increasing `Uint32Array` of subject ids, the form the
 * differencing guard compares in one linear merge.
 *
 * @throws CustosError `DISCLOSURE_INVALID_COHORT` naming the position of an id that is not
 * a uint32, or of the first out-of-order id of a `Uint32Array`.
 * @example
 * ```ts
 * toCohort(new Set([7, 3, 5])); // Uint32Array [3, 5, 7]
 * ```
 */
export function toCohort(input: CohortInput): Uint32Array {
  if (input instanceof Uint32Array) {
    for (let i = 1; i < input.length; i++) {
      if ((input[i] ?? 0) <= (input[i - 1] ?? 0)) {
        invalid(`cohort is not strictly increasing at position ${i}`, i, input[i]);
      }
    }
    return input;
  }
  const ids = Array.isArray(input) ? input : input instanceof Set ? [...input] : null;
  if (ids === null) invalid("cohort must be a Uint32Array, an array or a set", -1, typeof input);
  const out = new Uint32Array(ids.length);
  ids.forEach((id: unknown, i: number) => {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
      invalid(`cohort id at position ${i} is not a uint32`, i, id);
    }
    out[i] = id;
  });
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) {
    if (n === 0 || out[i] !== out[n - 1]) out[n++] = out[i] ?? 0;
  }
  return out.slice(0, n);
}

/**
 * Expands a bitset (bit `i` of word `i >> 5` set ⇔ subject `i` in the cohort) into a
 * sorted cohort.
 *
 * @example
 * ```ts
 * cohortFromBitset(Uint32Array.of(0b1010)); // Uint32Array [1, 3]
 * ```
 */
export function cohortFromBitset(words: Uint32Array): Uint32Array {
  let count = 0;
  for (const word of words) {
    let w = word;
    while (w !== 0) {
      w &= w - 1;
      count++;
    }
  }
  const out = new Uint32Array(count);
  let n = 0;
  for (let i = 0; i < words.length; i++) {
    let w = words[i] ?? 0;
    while (w !== 0) {
      const low = w & -w;
      out[n++] = i * 32 + 31 - Math.clz32(low);
      w = (w ^ low) >>> 0;
    }
  }
  return out;
}
