import { describe, expect, it } from "vitest";
import { readIdPages } from "../../src/ledger/readIdPages.ts";
import { expectLedgerError } from "./ledgerFixture.ts";

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("readIdPages", () => {
  it("reads every id once, in order, a page of parallel reads at a time", async () => {
    const pages: bigint[][] = [];
    let inFlight: bigint[] = [];
    const read = async (id: bigint): Promise<string> => {
      inFlight.push(id);
      await Promise.resolve();
      if (inFlight.length > 0) {
        pages.push(inFlight);
        inFlight = [];
      }
      return `item ${id}`;
    };
    const items = await collect(readIdPages(async () => 7n, read, { pageSize: 3 }));
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `item ${i}`));
    expect(pages).toEqual([[1n, 2n, 3n], [4n, 5n, 6n], [7n]]);
  });

  it("starts at fromId and yields nothing past the count", async () => {
    const read = async (id: bigint) => id;
    expect(await collect(readIdPages(async () => 5n, read, { fromId: 4 }))).toEqual([4n, 5n]);
    expect(await collect(readIdPages(async () => 0n, read))).toEqual([]);
  });

  it("rejects bad paging options and stops when aborted between pages", async () => {
    const read = async (id: bigint) => id;
    await expectLedgerError(
      collect(readIdPages(async () => 3n, read, { fromId: 0 })),
      "INVALID_ARGUMENT",
    );
    await expectLedgerError(
      collect(readIdPages(async () => 3n, read, { pageSize: 0 })),
      "INVALID_ARGUMENT",
    );
    const controller = new AbortController();
    const seen: bigint[] = [];
    const reader = readIdPages(async () => 10n, read, { pageSize: 2, signal: controller.signal });
    await expectLedgerError(
      (async () => {
        for await (const id of reader) {
          seen.push(id);
          if (id === 3n) controller.abort();
        }
      })(),
      "LEDGER_ABORTED",
    );
    expect(seen).toEqual([1n, 2n, 3n, 4n]);
  });
});
