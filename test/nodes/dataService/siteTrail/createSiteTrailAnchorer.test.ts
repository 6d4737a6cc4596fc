import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSiteTrail,
  createSiteTrailAnchorer,
  type SiteTrail,
  type SiteTrailHead,
} from "../../../../nodes/dataService/index.ts";
import { createLogger } from "../../../../nodes/log/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

const ZERO: SiteTrailHead = { seq: 0, hash: `0x${"0".repeat(64)}` };

/** AccessLedger's anchoring as the contract does it: sequences strictly increase. */
function fakeLedger(onChain: SiteTrailHead = ZERO) {
  const sent: number[] = [];
  let fail: CustosError | null = null;
  let active = 0;
  let overlapped = false;
  const ledger = {
    anchorSiteTrail: async (_hospital: number, sequence: bigint | number, head: `0x${string}`) => {
      active++;
      overlapped ||= active > 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      if (fail !== null) throw fail;
      if (Number(sequence) <= onChain.seq) {
        throw new CustosError("LEDGER_CONFLICT", "stale", { details: {} });
      }
      onChain = { seq: Number(sequence), hash: head };
      sent.push(Number(sequence));
      return {} as never;
    },
    siteTrailHead: async () => ({
      sequence: BigInt(onChain.seq),
      anchoredAt: 1,
      head: onChain.hash,
    }),
  };
  return {
    ledger,
    sent,
    failWith: (error: CustosError | null) => {
      fail = error;
    },
    setOnChain: (head: SiteTrailHead) => {
      onChain = head;
    },
    overlapped: () => overlapped,
  };
}

let dir: string;
let trail: SiteTrail;
let now: number;
const log = createLogger({ level: "silent" });
const entry = (queryId: string) =>
  trail.append("runFailed", {
    queryId,
    attempt: 1,
    errorCode: "INTERNAL",
    timedOut: false,
    interrupted: false,
    retry: true,
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-anchorer-"));
  now = 1_000;
  trail = await createSiteTrail(dir, { now: () => now });
});

afterEach(async () => {
  await trail.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the site trail anchorer", () => {
  it("anchors at its interval, only when the head moved", async () => {
    const chain = fakeLedger();
    const anchorer = createSiteTrailAnchorer({
      trail,
      ledger: chain.ledger,
      hospitalId: 1,
      intervalSeconds: 300,
      anchored: ZERO,
      now: () => now,
      log,
    });
    await entry("1");
    await anchorer.tick();
    expect(chain.sent).toEqual([]); // the interval has not passed
    now += 300;
    await anchorer.tick();
    expect(chain.sent).toEqual([1]);
    expect(anchorer.anchored()).toEqual(trail.head());
    now += 300;
    await anchorer.tick();
    expect(chain.sent).toEqual([1]); // nothing moved
    await entry("2");
    await entry("3");
    now += 299;
    await anchorer.tick();
    expect(chain.sent).toEqual([1]);
    now += 1;
    await anchorer.tick();
    expect(chain.sent).toEqual([1, 3]);
  });

  it("retries a failed anchor at the next interval, and anchors once more at stop", async () => {
    const chain = fakeLedger();
    const anchorer = createSiteTrailAnchorer({
      trail,
      ledger: chain.ledger,
      hospitalId: 1,
      intervalSeconds: 10,
      anchored: ZERO,
      now: () => now,
      log,
    });
    await entry("1");
    chain.failWith(new CustosError("LEDGER_UNAVAILABLE", "down", { details: {} }));
    now += 10;
    await anchorer.tick(); // logged, not thrown
    await expectCustosError(anchorer.anchorNow(), "LEDGER_UNAVAILABLE");
    chain.failWith(null);
    now += 10;
    await anchorer.tick();
    expect(chain.sent).toEqual([1]);
    await anchorer.stop();
    expect(chain.sent).toEqual([1]); // nothing moved since
    await entry("2");
    await anchorer.stop();
    expect(chain.sent).toEqual([1, 2]);
  });

  it("learns a later on-chain anchor from a conflict, and never sends two anchors at once", async () => {
    const chain = fakeLedger();
    const anchorer = createSiteTrailAnchorer({
      trail,
      ledger: chain.ledger,
      hospitalId: 1,
      intervalSeconds: 10,
      anchored: ZERO,
      now: () => now,
      log,
    });
    await entry("1");
    const head = trail.head();
    chain.setOnChain(head); // an earlier send landed after all
    await expectCustosError(anchorer.anchorNow(), "LEDGER_CONFLICT");
    expect(anchorer.anchored()).toEqual(head);
    expect(await anchorer.anchorNow()).toBeNull();
    await entry("2");
    await Promise.all([anchorer.anchorNow(), anchorer.anchorNow(), anchorer.stop()]);
    expect(chain.sent).toEqual([2]);
    expect(chain.overlapped()).toBe(false);
  });
});
