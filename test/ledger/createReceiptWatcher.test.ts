import type { TransactionReceipt } from "ethers";
import { describe, expect, it } from "vitest";
import { createReceiptWatcher, type WatcherClock } from "../../src/ledger/createReceiptWatcher.ts";
import { expectCustosError } from "../expectCustosError.ts";

async function turns(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await new Promise<void>((r) => setImmediate(r));
}

/** A clock moved by hand: `advance` wakes the sleepers whose time has come. */
function manualClock() {
  let now = 0;
  const sleepers: { until: number; wake: () => void }[] = [];
  const clock: WatcherClock = {
    now: () => now,
    sleep: (ms) =>
      new Promise((wake) => {
        sleepers.push({ until: now + ms, wake });
      }),
  };
  return {
    clock,
    sleeping: () => sleepers.length,
    async advance(ms: number) {
      now += ms;
      for (const sleeper of sleepers.splice(0)) {
        if (sleeper.until <= now) sleeper.wake();
        else sleepers.push(sleeper);
      }
      await turns();
    },
  };
}

/** A chain whose head and mined transactions the test sets; it counts the requests. */
function fakeProvider() {
  let head = 10;
  let down = false;
  const mined = new Map<string, TransactionReceipt>();
  const lookups: string[] = [];
  const provider = {
    getBlockNumber: async () => {
      if (down) throw new Error("connection refused");
      return head;
    },
    getTransactionReceipt: async (hash: string) => {
      lookups.push(hash);
      if (down) throw new Error("connection refused");
      return mined.get(hash) ?? null;
    },
  };
  return {
    provider,
    lookups,
    mine(hash: string) {
      head++;
      mined.set(hash, { hash, status: 1 } as unknown as TransactionReceipt);
    },
    setDown(value: boolean) {
      down = value;
    },
  };
}

describe("createReceiptWatcher", () => {
  it("looks a new transaction up at once, then again only when the head moves", async () => {
    const chain = fakeProvider();
    const time = manualClock();
    const watcher = createReceiptWatcher(chain.provider, { pollMs: 100, clock: time.clock });
    let receipt: TransactionReceipt | undefined;
    void watcher.wait("0xa").then((r) => {
      receipt = r;
    });
    await turns();
    expect(chain.lookups).toEqual(["0xa"]);
    await time.advance(100);
    await time.advance(100);
    // The head did not move: no more receipt requests.
    expect(chain.lookups).toEqual(["0xa"]);
    chain.mine("0xa");
    await time.advance(100);
    expect(receipt?.hash).toBe("0xa");
    expect(time.sleeping()).toBe(0);
  });

  it("follows several transactions with one loop, answering each when it is mined", async () => {
    const chain = fakeProvider();
    const time = manualClock();
    const watcher = createReceiptWatcher(chain.provider, { pollMs: 100, clock: time.clock });
    const got: string[] = [];
    for (const hash of ["0x1", "0x2", "0x3"]) void watcher.wait(hash).then((r) => got.push(r.hash));
    await turns();
    chain.mine("0x3");
    chain.mine("0x1");
    await time.advance(100);
    expect(got.sort()).toEqual(["0x1", "0x3"]);
    expect(time.sleeping()).toBe(1);
    chain.mine("0x2");
    await time.advance(100);
    expect(got).toContain("0x2");
    expect(time.sleeping()).toBe(0);
  });

  it("rides out failed requests and gives up after the timeout with LEDGER_UNAVAILABLE", async () => {
    const chain = fakeProvider();
    const time = manualClock();
    const watcher = createReceiptWatcher(chain.provider, {
      pollMs: 100,
      timeoutMs: 1_000,
      clock: time.clock,
    });
    chain.setDown(true);
    const lost = expectCustosError(watcher.wait("0xlost"), "LEDGER_UNAVAILABLE");
    const later = watcher.wait("0xlater");
    await turns();
    await time.advance(500);
    chain.setDown(false);
    chain.mine("0xlater");
    await time.advance(100);
    expect(await later).toMatchObject({ hash: "0xlater" });
    for (let t = 0; t < 4; t++) await time.advance(100);
    const error = await lost;
    expect(error.details).toMatchObject({ sent: true, hash: "0xlost" });
    expect(time.sleeping()).toBe(0);
  });
});
