import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameQueue } from "../../../nodes/network/FrameQueue.ts";
import { RecentSet } from "../../../nodes/network/RecentSet.ts";

describe("FrameQueue", () => {
  it("keeps the newest frames within its count and byte bounds, in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 50, max: 400 }),
        (sizes, maxFrames, maxBytes) => {
          const queue = new FrameQueue(maxFrames, maxBytes);
          let dropped = 0;
          sizes.forEach((size, i) => {
            dropped += queue.push(new Uint8Array(size).fill(i % 256));
            expect(queue.length).toBeLessThanOrEqual(maxFrames);
            expect(queue.bytes).toBeLessThanOrEqual(maxBytes);
          });
          expect(dropped + queue.length).toBe(sizes.length);
          const kept: number[] = [];
          for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) {
            kept.push(frame[0] as number);
          }
          const expected = sizes.map((_, i) => i % 256).slice(sizes.length - kept.length);
          expect(kept).toEqual(expected);
          expect(queue.bytes).toBe(0);
        },
      ),
      { seed: 1320, numRuns: 300 },
    );
  });
});

describe("RecentSet", () => {
  it("remembers only its capacity of most recent keys", () => {
    const set = new RecentSet<number>(3);
    expect([1, 2, 3].map((k) => set.add(k))).toEqual([true, true, true]);
    expect(set.add(2)).toBe(false);
    expect(set.add(4)).toBe(true);
    expect(set.has(1)).toBe(false);
    expect([2, 3, 4].every((k) => set.has(k))).toBe(true);
    expect(set.size).toBe(3);
  });
});
