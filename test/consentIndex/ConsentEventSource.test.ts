import { describe, expect, it } from "vitest";
import { createRegistryEventSource } from "../../src/consentIndex/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

type Listener = (block: number) => void;

function fakeProvider(options: { failHead?: boolean } = {}) {
  const listeners = new Set<Listener>();
  const provider = {
    getBlockNumber: async () => {
      if (options.failHead) throw new Error("socket hang up");
      return 42;
    },
    getNetwork: async () => ({ chainId: 31337n }),
    on: async (_event: unknown, listener: Listener) => {
      listeners.add(listener);
      return provider;
    },
    off: async (_event: unknown, listener: Listener) => {
      listeners.delete(listener);
      return provider;
    },
  };
  return { provider, listeners };
}

const client = {
  address: "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01" as const,
  custodian: 3,
  consentEvents: async function* (options?: {
    fromBlock?: number;
    toBlock?: number;
    pageSize?: number;
  }) {
    yield { name: "Seen", args: { options }, blockNumber: 1, logIndex: 0 };
  },
};

describe("createRegistryEventSource", () => {
  it("names chain, registry and custodian, reads the head and pages events over the given range", async () => {
    const { provider } = fakeProvider();
    const source = createRegistryEventSource({
      client: client as never,
      provider: provider as never,
      pageSize: 7,
    });
    expect(await source.scope?.()).toBe("31337:0xabcdef0123456789abcdef0123456789abcdef01:3");
    expect(source.custodian).toBe(3);
    expect(await source.headBlock()).toBe(42);
    const events = [];
    for await (const e of source.events({ fromBlock: 3, toBlock: 9 })) events.push(e);
    expect(events).toEqual([
      {
        name: "Seen",
        args: { options: { fromBlock: 3, toBlock: 9, pageSize: 7 } },
        blockNumber: 1,
        logIndex: 0,
      },
    ]);
  });

  it("subscribes to new blocks and unsubscribes; without subscribe it has no onBlock", async () => {
    const { provider, listeners } = fakeProvider();
    const source = createRegistryEventSource({
      client: client as never,
      provider: provider as never,
    });
    const seen: number[] = [];
    const unsubscribe = source.onBlock?.((b) => seen.push(b));
    expect(listeners.size).toBe(1);
    for (const l of listeners) l(43);
    expect(seen).toEqual([43]);
    unsubscribe?.();
    await Promise.resolve();
    expect(listeners.size).toBe(0);
    const polling = createRegistryEventSource({
      client: client as never,
      provider: provider as never,
      subscribe: false,
    });
    expect(polling.onBlock).toBeUndefined();
  });

  it("wraps transport failures as LEDGER_UNAVAILABLE with the cause", async () => {
    const { provider } = fakeProvider({ failHead: true });
    const source = createRegistryEventSource({
      client: client as never,
      provider: provider as never,
    });
    const error = await expectCustosError(source.headBlock(), "LEDGER_UNAVAILABLE");
    expect(error.details).toEqual({ operation: "getBlockNumber" });
  });
});
