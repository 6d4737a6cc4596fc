import { describe, expect, it } from "vitest";
import { FutureMessages } from "../../../../nodes/consensus/core/FutureMessages.ts";
import type { QbftReceived } from "../../../../nodes/consensus/core/QbftReceived.ts";

function entry(height: bigint, author: string, size = 10): QbftReceived {
  return {
    message: { signed: { payload: { height } } } as QbftReceived["message"],
    author: new Uint8Array(20),
    authorKey: author,
    hash: new Uint8Array(32),
    bytes: new Uint8Array(size),
  };
}

describe("FutureMessages", () => {
  it("evicts the newest message of the author holding most at a full height", () => {
    const future = new FutureMessages({ heights: 4, perHeight: 3, bytes: 1000 });
    const [a1, a2, b1, c1] = [entry(5n, "a"), entry(5n, "a"), entry(5n, "b"), entry(5n, "c")];
    expect([a1, a2, b1].flatMap((e) => future.add(e))).toEqual([]);
    expect(future.add(c1)).toEqual([a2]);
    const a3 = entry(5n, "a");
    expect(future.add(a3)).toEqual([a3]);
    expect(future.take(5n)).toEqual([a1, b1, c1]);
    expect(future.count).toBe(0);
  });

  it("gives up the highest height first, and forgets heights below the one taken", () => {
    const future = new FutureMessages({ heights: 2, perHeight: 10, bytes: 35 });
    const [h3, h4, h5] = [entry(3n, "a"), entry(4n, "a"), entry(5n, "a")];
    future.add(h4);
    future.add(h5);
    expect(future.add(h3)).toEqual([h5]);
    const big = entry(3n, "b", 20);
    expect(future.add(big)).toEqual([h4]);
    expect(future.take(4n)).toEqual([]);
    expect(future.count).toBe(0);
  });
});
