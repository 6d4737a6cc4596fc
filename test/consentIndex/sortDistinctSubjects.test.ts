import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortDistinctSubjects } from "../../src/consentIndex/sortDistinctSubjects.ts";

const SEED = 20261123;

function sortedViaLibrary(keys: Buffer[]): string[] {
  return [...new Set(keys.map((k) => k.toString("hex")))].sort();
}

function sortedViaRadix(keys: Buffer[], positions: Uint32Array | null, count: number): string[] {
  const src = new Uint32Array(new Uint8Array(Buffer.concat(keys)).buffer);
  const out: string[] = [];
  sortDistinctSubjects(src, positions, count, (words, n) => {
    const bytes = Buffer.from(words.buffer, words.byteOffset, n * 32);
    for (let i = 0; i < n; i++) out.push(bytes.subarray(i * 32, i * 32 + 32).toString("hex"));
  });
  return out;
}

/** Keys drawn from few byte values share long prefixes: exercises every tie path. */
const clusteredKey = fc
  .array(fc.constantFrom(0, 1, 0x80, 0xff), { minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b));
const randomKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

describe("sortDistinctSubjects", () => {
  it("sorts lexicographically and drops duplicates, random and clustered keys", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(randomKey, clusteredKey), { maxLength: 300 }), (keys) => {
        const withDuplicates = [...keys, ...keys.slice(0, 10)];
        expect(sortedViaRadix(withDuplicates, null, withDuplicates.length)).toEqual(
          sortedViaLibrary(withDuplicates),
        );
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("handles large buckets, large tie runs and a subset of positions", () => {
    const keys: Buffer[] = [];
    let x = 1;
    const next = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x >>> 8;
    };
    for (let i = 0; i < 20_000; i++) {
      const k = Buffer.alloc(32);
      for (let b = 0; b < 32; b++) k[b] = next() & 0xff;
      // A fifth share their first 6 bytes (one run far above the insertion-sort limit).
      if (i % 5 === 0) k.fill(7, 0, 6);
      keys.push(k);
    }
    expect(sortedViaRadix(keys, null, keys.length)).toEqual(sortedViaLibrary(keys));
    const positions = Uint32Array.from({ length: 5000 }, (_, i) => i * 3 + 1);
    const chosen = [...positions].map((p) => keys[p] as Buffer);
    expect(sortedViaRadix(keys, positions, 4000)).toEqual(sortedViaLibrary(chosen.slice(0, 4000)));
    expect(sortedViaRadix(keys, positions, 0)).toEqual([]);
  });
});
