import type { Provider } from "ethers";
import { describe, expect, it } from "vitest";
import { CustosError } from "../../src/errors/index.ts";
import { ledgerContracts } from "../../src/ledger/ledgerContracts.ts";
import { readLedgerEvents } from "../../src/ledger/readLedgerEvents.ts";

/** A provider whose node refuses getLogs over more than `maxBlocks` blocks, as a log cap would. */
function cappedProvider(maxBlocks: number, failWith: object) {
  const asked: [number, number][] = [];
  const provider = {
    getBlockNumber: async () => 99,
    getLogs: async (filter: { fromBlock: number; toBlock: number }) => {
      asked.push([filter.fromBlock, filter.toBlock]);
      if (filter.toBlock - filter.fromBlock + 1 > maxBlocks) throw failWith;
      return [];
    },
  } as unknown as Provider;
  return { provider, asked };
}

const query = (provider: Provider) => ({
  provider,
  address: `0x${"11".repeat(20)}`,
  abi: ledgerContracts.AccessLedger,
  eventNames: ["QuerySubmitted"],
});

describe("readLedgerEvents", () => {
  it("halves a page the node refuses as over its log cap and reads every block once", async () => {
    const { provider, asked } = cappedProvider(30, { error: { code: -32005, message: "limit" } });
    for await (const _ of readLedgerEvents(query(provider), { fromBlock: 0, pageSize: 100 })) {
      throw new Error("no events expected");
    }
    const read = asked.filter(([from, to]) => to - from + 1 <= 30);
    expect(read[0]).toEqual([0, 24]);
    expect(read.map(([from, to]) => to - from + 1).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it("does not retry other failures: the first one is thrown, typed", async () => {
    const { provider, asked } = cappedProvider(30, {
      error: { code: -32603, message: "internal" },
    });
    const events = readLedgerEvents(query(provider), { fromBlock: 0, pageSize: 100 });
    await expect(events.next()).rejects.toBeInstanceOf(CustosError);
    expect(asked).toEqual([[0, 99]]);
  });
});
