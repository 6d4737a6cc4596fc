import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MinHeap } from "../../../nodes/txpool/MinHeap.ts";

describe("MinHeap", () => {
  it("pops items in the order given by its comparison", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        for (const v of values) heap.push(v);
        expect(heap.size).toBe(values.length);
        const out: number[] = [];
        for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
        expect(out).toEqual([...values].sort((a, b) => a - b));
      }),
      { seed: 20261123, numRuns: 300 },
    );
  });

  it("peeks without removing and is empty-safe", () => {
    const heap = new MinHeap<string>((a, b) => a > b);
    expect(heap.pop()).toBeUndefined();
    heap.push("a");
    heap.push("c");
    expect(heap.peek()).toBe("c");
    expect(heap.size).toBe(2);
  });
});
