import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimQueue } from "../../../../nodes/consensus/sim/index.ts";

describe("SimQueue", () => {
  it("pops by time, then in the order pushed (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 300 }), (times) => {
        const queue = new SimQueue<number>();
        for (const [index, time] of times.entries()) queue.push(time, index);
        expect(queue.size).toBe(times.length);
        const expected = times
          .map((time, index) => ({ time, item: index }))
          .sort((a, b) => a.time - b.time || a.item - b.item);
        const popped: { time: number; item: number }[] = [];
        for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
          popped.push({ time: next.time, item: next.item });
        }
        expect(popped).toEqual(expected);
        expect(queue.size).toBe(0);
      }),
    );
  });

  it("interleaves pushes and pops like a sorted list would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.nat(50), { nil: undefined }), { maxLength: 300 }),
        (script) => {
          const queue = new SimQueue<number>();
          const model: { time: number; item: number }[] = [];
          let sequence = 0;
          for (const step of script) {
            if (step === undefined) {
              model.sort((a, b) => a.time - b.time || a.item - b.item);
              const next = queue.pop();
              expect(next && { time: next.time, item: next.item }).toEqual(model.shift());
            } else {
              queue.push(step, sequence);
              model.push({ time: step, item: sequence++ });
            }
          }
        },
      ),
    );
  });
});
