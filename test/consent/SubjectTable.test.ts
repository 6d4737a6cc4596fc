import { describe, expect, it } from "vitest";
import { LOOKUP_BATCH, ROW_WORDS, SubjectTable } from "../../src/consent/SubjectTable.ts";

function randomKeys(count: number, seed: number): Uint32Array {
  const words = new Uint32Array(count * 8);
  let x = seed;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return words;
}

describe("SubjectTable", () => {
  it("keeps every entry across many doublings", () => {
    const n = 100_000;
    const keys = randomKeys(n, 42);
    const table = new SubjectTable(0);
    expect(table.capacity).toBe(16);
    for (let i = 0; i < n; i++) {
      expect(table.find(keys, i * 8)).toBe(-1);
      expect(table.insert(keys, i * 8)).toBe(i);
      table.rows[i * ROW_WORDS + 13] = i;
    }
    expect(table.size).toBe(n);
    expect(table.capacity).toBe(131_072);
    expect(table.slotCapacity).toBeGreaterThanOrEqual(n / 0.75);
    for (let i = 0; i < n; i++) {
      const record = table.find(keys, i * 8);
      expect(record).toBe(i);
      expect(table.rows[record * ROW_WORDS + 13]).toBe(i);
      expect(Array.from(table.rows.subarray(record * ROW_WORDS, record * ROW_WORDS + 8))).toEqual(
        Array.from(keys.subarray(i * 8, i * 8 + 8)),
      );
    }
    const absent = randomKeys(1000, 7);
    for (let i = 0; i < 1000; i++) expect(table.find(absent, i * 8)).toBe(-1);
  });

  it("findBatch answers like find, also for keys that collide on the hashed words", () => {
    const n = 5000;
    const keys = randomKeys(n, 9);
    // Same first and last word for a quarter of the keys: they all probe from one slot.
    for (let i = 0; i < n; i += 4) {
      keys[i * 8] = 0x12345678;
      keys[i * 8 + 7] = 0x9abcdef0;
    }
    const table = new SubjectTable(n);
    for (let i = 0; i < n; i += 2) table.insert(keys, i * 8);
    const out = new Int32Array(LOOKUP_BATCH);
    for (let first = 0; first < n; first += LOOKUP_BATCH) {
      const count = Math.min(LOOKUP_BATCH, n - first);
      table.findBatch(keys, first, count, out);
      for (let j = 0; j < count; j++) {
        const i = first + j;
        expect(out[j]).toBe(table.find(keys, i * 8));
        expect(out[j]).toBe(i % 2 === 0 ? i / 2 : -1);
      }
    }
  });

  it("pre-sizes to about 71 bytes per subject", () => {
    const table = new SubjectTable(1_000_000);
    expect(table.capacity).toBe(1_000_000);
    expect(table.byteLength / 1_000_000).toBeLessThan(80);
  });
});
