import { bytesToHex } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilterRegistry, type FilterRegistry } from "../../../nodes/rpc/FilterRegistry.ts";
import { defaultRpcServerOptions } from "../../../nodes/rpc/rpcServerOptions.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  contract,
  createFakeNodeApi,
  type FakeNodeApi,
  makeNextBlock,
  transferTopic,
} from "./fakeNodeApi.ts";

const limits = {
  ...defaultRpcServerOptions.limits,
  maxFilters: 4,
  maxFiltersPerClient: 2,
  maxFilterCriteria: 3,
  filterIdleMs: 1000,
  maxLogBlockRange: 3,
  maxLogResults: 2,
};

let api: FakeNodeApi;
let clock: number;
let filters: FilterRegistry;

beforeEach(() => {
  api = createFakeNodeApi();
  clock = 0;
  filters = createFilterRegistry({
    api,
    limits,
    now: () => clock,
    sweepIntervalMs: 0,
    pendingCapacity: 3,
  });
});
afterEach(() => filters.close());

function commitBlocks(count: number): void {
  for (let i = 0; i < count; i++) {
    const { block, receipts } = makeNextBlock(api);
    api.commit(block, receipts);
  }
}

describe("createFilterRegistry", () => {
  it("returns each block's matching logs once, from the blocks committed after installation", async () => {
    const id = filters.installLogs("a", { addresses: [contract], topics: [transferTopic] });
    expect(id).toMatch(/^0x[1-9a-f][0-9a-f]*$/);
    expect(await filters.changes(id)).toEqual({ kind: "logs", logs: [] });
    commitBlocks(2);
    const first = await filters.changes(id);
    expect(first.kind === "logs" && first.logs.map((log) => log.blockNumber)).toEqual([3n, 4n]);
    expect(await filters.changes(id)).toEqual({ kind: "logs", logs: [] });
    commitBlocks(1);
    const second = await filters.changes(id);
    expect(second.kind === "logs" && second.logs.map((log) => log.blockNumber)).toEqual([5n]);
  });

  it("cuts a poll over maxLogResults at a block boundary and returns the rest next time", async () => {
    const id = filters.installLogs("a", { addresses: [], topics: [] });
    commitBlocks(3);
    const first = await filters.changes(id);
    expect(first.kind === "logs" && first.logs.map((log) => log.blockNumber)).toEqual([3n, 4n]);
    const second = await filters.changes(id);
    expect(second.kind === "logs" && second.logs.map((log) => log.blockNumber)).toEqual([5n]);
  });

  it("reads at most maxLogBlockRange blocks per poll", async () => {
    const id = filters.installLogs("a", { addresses: [], topics: [transferTopic] });
    commitBlocks(5);
    const seen: bigint[] = [];
    for (let poll = 0; poll < 4; poll++) {
      const changes = await filters.changes(id);
      if (changes.kind === "logs") seen.push(...changes.logs.map((log) => log.blockNumber));
    }
    expect(seen).toEqual([3n, 4n, 5n, 6n, 7n]);
  });

  it("honours a numeric toBlock", async () => {
    const id = filters.installLogs("a", {
      addresses: [],
      topics: [],
      toBlock: { kind: "number", number: 3n },
    });
    commitBlocks(2);
    const changes = await filters.changes(id);
    expect(changes.kind === "logs" && changes.logs.map((log) => log.blockNumber)).toEqual([3n]);
    commitBlocks(1);
    expect(await filters.changes(id)).toEqual({ kind: "logs", logs: [] });
  });

  it("returns the hashes of new blocks to a block filter", async () => {
    const id = filters.installBlocks("a");
    commitBlocks(2);
    const changes = await filters.changes(id);
    expect(changes.kind === "hashes" && changes.hashes.map((hash) => bytesToHex(hash))).toEqual(
      api.chain.blocks.slice(3).map((block) => bytesToHex(block.hash())),
    );
    expect(await filters.changes(id)).toEqual({ kind: "hashes", hashes: [] });
  });

  it("keeps the last pendingCapacity pool admissions for pending-transaction filters", async () => {
    const id = filters.installPendingTransactions("a");
    expect(api.listenerCount()).toBe(1);
    const hashes = [1, 2, 3, 4].map((n) => Uint8Array.of(n));
    for (const hash of hashes.slice(0, 2)) api.emitPending([hash]);
    expect(await filters.changes(id)).toEqual({ kind: "hashes", hashes: hashes.slice(0, 2) });
    for (const hash of hashes) api.emitPending([hash]);
    expect(await filters.changes(id)).toEqual({ kind: "hashes", hashes: hashes.slice(1) });
    filters.uninstall(id);
    expect(api.listenerCount()).toBe(0);
  });

  it("caps filters per client, in all, and the criteria they hold", async () => {
    filters.installBlocks("a");
    filters.installBlocks("a");
    expectCustosError(() => filters.installBlocks("a"), "RPC_LIMIT_EXCEEDED");
    filters.installLogs("b", { addresses: [contract, contract], topics: [transferTopic] });
    expectCustosError(
      () => filters.installLogs("c", { addresses: [contract], topics: [] }),
      "RPC_LIMIT_EXCEEDED",
    );
    filters.installBlocks("c");
    expectCustosError(() => filters.installBlocks("d"), "RPC_LIMIT_EXCEEDED");
    expect(filters.size).toBe(4);
  });

  it("uninstalls a filter idle for longer than filterIdleMs, and polling keeps one alive", async () => {
    const idle = filters.installBlocks("a");
    const polled = filters.installBlocks("a");
    clock = 900;
    await filters.changes(polled);
    clock = 1500;
    expectCustosError(() => filters.changes(idle), "RPC_FILTER_NOT_FOUND");
    expect(await filters.changes(polled)).toEqual({ kind: "hashes", hashes: [] });
    clock = 3000;
    expect(filters.sweep()).toBe(1);
    expect(filters.size).toBe(0);
    filters.installBlocks("a");
    filters.installBlocks("a");
  });

  it("answers unknown ids and wrong kinds with RPC_FILTER_NOT_FOUND", async () => {
    expectCustosError(() => filters.changes("0x1"), "RPC_FILTER_NOT_FOUND");
    const blocks = filters.installBlocks("a");
    expectCustosError(() => filters.logFilter(blocks), "RPC_FILTER_NOT_FOUND");
    expect(filters.uninstall(blocks)).toBe(true);
    expect(filters.uninstall(blocks)).toBe(false);
  });
});
