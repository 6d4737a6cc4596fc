import { describe, expect, it } from "vitest";
import { ROW_WORDS, SubjectTable } from "../../src/consentIndex/SubjectTable.ts";

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

const hexAt = (words: Uint32Array, offset: number) =>
  Buffer.from(words.buffer, words.byteOffset + offset * 4, 32).toString("hex");

/** Keys of the occupied rows in slot order. */
function rowKeys(table: SubjectTable): string[] {
  const keys: string[] = [];
  for (let s = 0; s < table.slotCapacity; s++) {
    if (table.rows[s * ROW_WORDS + ROW_WORDS - 1] !== 0)
      keys.push(hexAt(table.rows, s * ROW_WORDS));
  }
  return keys;
}

describe("SubjectTable", () => {
  it("keeps every entry, in pseudonym order, across many doublings", () => {
    const n = 50_000;
    const keys = randomKeys(n, 42);
    const table = new SubjectTable(0);
    expect(table.capacity).toBe(12);
    for (let i = 0; i < n; i++) {
      expect(table.find(keys, i * 8)).toBe(-1);
      const slot = table.insert(keys, i * 8);
      expect(hexAt(table.rows, slot * ROW_WORDS)).toBe(hexAt(keys, i * 8));
      table.rows[slot * ROW_WORDS + 13] = i;
    }
    expect(table.size).toBe(n);
    expect(table.capacity).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < n; i++) {
      const slot = table.find(keys, i * 8);
      expect(hexAt(table.rows, slot * ROW_WORDS)).toBe(hexAt(keys, i * 8));
      expect(table.rows[slot * ROW_WORDS + 13]).toBe(i);
    }
    const inserted = Array.from({ length: n }, (_, i) => hexAt(keys, i * 8)).sort();
    expect(rowKeys(table)).toEqual(inserted);
    const absent = randomKeys(1000, 7);
    for (let i = 0; i < 1000; i++) expect(table.find(absent, i * 8)).toBe(-1);
  });

  it("grows its tail when a cluster runs off the end", () => {
    const n = 400;
    const keys = randomKeys(n, 3);
    for (let i = 0; i < n; i++) keys[i * 8] = 0xffffffff;
    const table = new SubjectTable(n);
    const before = table.slotCapacity;
    for (let i = 0; i < n; i++) table.insert(keys, i * 8);
    expect(table.slotCapacity).toBeGreaterThan(before);
    for (let i = 0; i < n; i++) expect(table.find(keys, i * 8)).toBeGreaterThanOrEqual(0);
    expect(rowKeys(table)).toHaveLength(n);
  });

  it("maps ranks to slots in pseudonym order", () => {
    const n = 3000;
    const keys = randomKeys(n, 5);
    const table = new SubjectTable(n);
    for (let i = 0; i < n; i++) table.insert(keys, i * 8);
    const ordered = rowKeys(table);
    const slots = table.slotsOfRanks([0, 1, 1500, n - 1]);
    expect(slots.map((s) => hexAt(table.rows, s * ROW_WORDS))).toEqual(
      [0, 1, 1500, n - 1].map((r) => ordered[r]),
    );
  });

  it("keeps its rows in shared memory, so cohort workers read them in place", () => {
    const table = new SubjectTable(10);
    expect(table.rows.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (let i = 0; i < 40; i++) table.insert(randomKeys(1, 100 + i), 0);
    expect(table.rows.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("pre-sizes to at most 80 bytes per subject", () => {
    const table = new SubjectTable(1_000_000);
    expect(table.capacity).toBeGreaterThanOrEqual(1_000_000);
    expect(table.byteLength / 1_000_000).toBeLessThanOrEqual(80.1);
  });
});
