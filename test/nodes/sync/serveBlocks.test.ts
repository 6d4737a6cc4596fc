import { describe, expect, it } from "vitest";
import { type BlockStore, serveBlocks } from "../../../nodes/sync/index.ts";

function store(head: bigint): BlockStore & { reads: bigint[] } {
  const reads: bigint[] = [];
  return {
    reads,
    headNumber: () => head,
    async blockRlp(number) {
      reads.push(number);
      return number <= head ? Uint8Array.of(Number(number)) : undefined;
    },
  };
}

const signal = new AbortController().signal;

describe("serveBlocks", () => {
  it("answers consecutive blocks from the number asked, up to the count", async () => {
    expect(await serveBlocks(store(10n), 3n, 4, signal)).toEqual(
      [3, 4, 5, 6].map((n) => Uint8Array.of(n)),
    );
  });

  it("stops at its head, and answers nothing to a peer level with it or ahead", async () => {
    const chain = store(10n);
    expect(await serveBlocks(chain, 9n, 5, signal)).toEqual([Uint8Array.of(9), Uint8Array.of(10)]);
    expect(await serveBlocks(chain, 11n, 5, signal)).toEqual([]);
    expect(chain.reads).toEqual([9n, 10n]);
  });

  it("stops reading once the request is aborted", async () => {
    const controller = new AbortController();
    const chain = store(100n);
    const reading = chain.blockRlp.bind(chain);
    chain.blockRlp = async (number) => {
      if (number === 3n) controller.abort();
      return reading(number);
    };
    expect(await serveBlocks(chain, 1n, 50, controller.signal)).toHaveLength(3);
  });
});
