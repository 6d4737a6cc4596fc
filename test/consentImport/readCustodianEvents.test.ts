/**
 * readCustodianEvents against a scripted registry: pages cover the blocks once, in order, sized
 * to the events found; the next page is requested while the caller takes in the current one;
 * a failed page surfaces when its turn comes, and not at all if the caller stopped before.
 */
import { describe, expect, it } from "vitest";
import { readCustodianEvents } from "../../src/consentImport/readCustodianEvents.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { ConsentRegistryEvent } from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const HEAD = 2_000;
/** Events per block: empty at first, then dense (as a chain before and during an import). */
const eventsIn = (block: number) => (block < 500 ? 0 : 40);

interface Request {
  readonly fromBlock: number;
  readonly toBlock: number;
}

function scriptedRegistry(failAt?: number) {
  const requests: Request[] = [];
  const registry = {
    async *consentEvents(options: { fromBlock?: number; toBlock?: number }) {
      const fromBlock = options.fromBlock ?? 0;
      const toBlock = options.toBlock ?? HEAD;
      requests.push({ fromBlock, toBlock });
      await new Promise((resolve) => setImmediate(resolve));
      if (failAt !== undefined && fromBlock <= failAt && failAt <= toBlock) {
        throw new CustosError("LEDGER_UNAVAILABLE", "node went away");
      }
      for (let block = fromBlock; block <= toBlock; block++) {
        for (let i = 0; i < eventsIn(block); i++) {
          yield { blockNumber: block, logIndex: i } as unknown as ConsentRegistryEvent;
        }
      }
    },
  };
  return { registry, requests };
}

describe("readCustodianEvents", () => {
  it("reads every block once, in order, in pages sized to the events found", async () => {
    const { registry, requests } = scriptedRegistry();
    const seen: string[] = [];
    for await (const event of readCustodianEvents({
      registry,
      fromBlock: 10,
      headBlock: async () => HEAD,
    })) {
      seen.push(`${event.blockNumber}:${event.logIndex}`);
    }
    const expected: string[] = [];
    for (let block = 10; block <= HEAD; block++) {
      for (let i = 0; i < eventsIn(block); i++) expected.push(`${block}:${i}`);
    }
    expect(seen).toEqual(expected);
    expect(requests[0]?.fromBlock).toBe(10);
    expect(requests.at(-1)?.toBlock).toBe(HEAD);
    for (let i = 1; i < requests.length; i++) {
      expect(requests[i]?.fromBlock).toBe((requests[i - 1]?.toBlock ?? 0) + 1);
    }
    // Dense blocks: pages of at most ~5,000 events (125 blocks of 40).
    const dense = requests.filter((r) => r.fromBlock >= 600);
    expect(Math.max(...dense.map((r) => r.toBlock - r.fromBlock + 1))).toBeLessThanOrEqual(125);
  });

  it("requests the next page before the caller has taken in the current one", async () => {
    const { registry, requests } = scriptedRegistry();
    const events = readCustodianEvents({ registry, fromBlock: 600, headBlock: async () => HEAD });
    await events.next();
    expect(requests).toHaveLength(2);
    await events.return(undefined);
  });

  it("surfaces a failed page when reached, and leaves none unhandled when stopped before", async () => {
    const failing = scriptedRegistry(1_500);
    const read = async () => {
      for await (const _ of readCustodianEvents({
        registry: failing.registry,
        fromBlock: 600,
        headBlock: async () => HEAD,
      }));
    };
    await expectCustosError(read(), "LEDGER_UNAVAILABLE");

    // Stopped in the page before the failing one, whose request is already out.
    const stopped = scriptedRegistry(605);
    const events = readCustodianEvents({
      registry: stopped.registry,
      fromBlock: 600,
      headBlock: async () => HEAD,
    });
    await events.next();
    expect(stopped.requests[1]?.fromBlock).toBeLessThanOrEqual(605);
    expect(stopped.requests[1]?.toBlock).toBeGreaterThanOrEqual(605);
    await events.return(undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
});
