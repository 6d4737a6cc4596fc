import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FairQueue } from "../../../nodes/execution/FairQueue.ts";

const byArrival = () => 0;

describe("FairQueue", () => {
  it("takes turns between clients, each client's items in arrival order", () => {
    const queue = new FairQueue<string>();
    for (const item of ["a1", "a2", "a3"]) queue.push("a", item);
    queue.push("b", "b1");
    queue.push("b", "b2");
    const order = Array.from({ length: 5 }, () => queue.shift(byArrival));
    expect(order).toEqual(["a1", "b1", "a2", "b2", "a3"]);
    expect(queue.size).toBe(0);
    expect(queue.shift(byArrival)).toBeUndefined();
  });

  it("serves the client ranked lowest first, ties to the longest waiting", () => {
    const queue = new FairQueue<string>();
    queue.push("flood", "f2");
    queue.push("flood", "f3");
    queue.push("honest", "h1");
    const running = new Map([["flood", 1]]);
    expect(queue.shift((client) => running.get(client) ?? 0)).toBe("h1");
    expect(queue.shift((client) => running.get(client) ?? 0)).toBe("f2");
  });

  it("removes a waiting item and drains what is left", () => {
    const queue = new FairQueue<string>();
    queue.push("a", "a1");
    queue.push("b", "b1");
    queue.push("a", "a2");
    expect(queue.remove("b1")).toBe(true);
    expect(queue.remove("b1")).toBe(false);
    expect(queue.waiting("b")).toBe(0);
    expect(queue.waiting("a")).toBe(2);
    expect(queue.drain().sort()).toEqual(["a1", "a2"]);
    expect(queue.size).toBe(0);
  });

  it("keeps every client's order and serves every client within one round (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }), (clientOf) => {
        const queue = new FairQueue<{ client: number; seq: number }>();
        clientOf.forEach((client, seq) => {
          queue.push(String(client), { client, seq });
        });
        const taken: { client: number; seq: number }[] = [];
        for (let item = queue.shift(byArrival); item; item = queue.shift(byArrival)) {
          taken.push(item);
        }
        expect(taken).toHaveLength(clientOf.length);
        const clients = new Set(clientOf).size;
        for (const client of new Set(clientOf)) {
          const mine = taken.filter((t) => t.client === client).map((t) => t.seq);
          expect(mine).toEqual([...mine].sort((x, y) => x - y));
          // Between two of a client's items, each other client is served at most once.
          const at = taken.flatMap((t, i) => (t.client === client ? [i] : []));
          for (let k = 1; k < at.length; k++) {
            expect((at[k] as number) - (at[k - 1] as number)).toBeLessThanOrEqual(clients);
          }
        }
      }),
    );
  });
});
