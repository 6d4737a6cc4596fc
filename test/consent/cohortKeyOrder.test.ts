import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortCohortKeys } from "../../src/consent/cohortKeyOrder.ts";

const SEED = 20261124;

const hexAt = (words: Uint32Array, i: number) =>
  Buffer.from(words.buffer, words.byteOffset + i * 32, 32).toString("hex");

/** Keys from a few leading words and a few tails, so equal leading words and duplicates abound. */
const keysArb = fc.array(
  fc.tuple(fc.constantFrom(0, 1, 0xffffffff, 0x80000000, 0x1234), fc.nat({ max: 5 }), fc.nat()),
  { maxLength: 400 },
);

describe("sortCohortKeys", () => {
  it("orders keys by bytes, equal keys by input position, and skips malformed ones", () => {
    fc.assert(
      fc.property(keysArb, fc.array(fc.boolean(), { maxLength: 400 }), (spec, flags) => {
        const words = new Uint32Array(spec.length * 8);
        spec.forEach(([lead, tail, rest], i) => {
          words[i * 8] = lead;
          words[i * 8 + 3] = tail;
          words[i * 8 + 7] = rest % 3;
        });
        const invalid = new Uint8Array(spec.length);
        flags.forEach((f, i) => {
          if (i < spec.length && f) invalid[i] = 1;
        });
        const { order, size, lead } = sortCohortKeys(words, spec.length, invalid);
        const expected = spec
          .map((_, i) => i)
          .filter((i) => invalid[i] === 0)
          .sort((a, b) => {
            const x = hexAt(words, a);
            const y = hexAt(words, b);
            return x < y ? -1 : x > y ? 1 : a - b;
          });
        expect(size).toBe(expected.length);
        expect([...order.subarray(0, size)]).toEqual(expected);
        for (let k = 0; k < size; k++) {
          expect(lead[k]).toBe(Number.parseInt(hexAt(words, order[k] as number).slice(0, 8), 16));
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("sorts a large random cohort (the bucketed radix path)", () => {
    const n = 200_000;
    const words = new Uint32Array(n * 8);
    let x = 7;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    const { order, size } = sortCohortKeys(words, n, null);
    expect(size).toBe(n);
    expect(new Set(order).size).toBe(n);
    for (let k = 1; k < n; k++) {
      expect(hexAt(words, order[k - 1] as number) < hexAt(words, order[k] as number)).toBe(true);
    }
  });
});
