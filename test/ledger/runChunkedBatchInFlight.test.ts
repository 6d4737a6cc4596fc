/**
 * The in-flight sender of `runChunkedBatch` against a scripted chain: the test decides when
 * (and in which order) each sent transaction is mined, which chunks the contract rejects and
 * when the node stops answering. No timers: the test waits for the sender by turns of the
 * event loop.
 */
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { Hex } from "../../src/ledger/abiValues.ts";
import type { BatchEntry, BatchProgress, BatchResult } from "../../src/ledger/index.ts";
import { MAX_TRANSACTIONS_IN_FLIGHT } from "../../src/ledger/index.ts";
import type { ConsentRegistryEvent } from "../../src/ledger/LedgerEvent.ts";
import type { TransactionResult } from "../../src/ledger/ledgerTransaction.ts";
import { type ChunkedBatchPlan, runChunkedBatch } from "../../src/ledger/runChunkedBatch.ts";
import { expectCustosError } from "../expectCustosError.ts";

const entry = (i: number): BatchEntry => ({
  subject: `0x${i.toString(16).padStart(64, "a")}` as Bytes32,
  documentHash: `0x${i.toString(16).padStart(64, "d")}` as Bytes32,
});
const batch = (n: number): BatchEntry[] => Array.from({ length: n }, (_, i) => entry(i));

/** Lets the sender run until it waits for the chain again. */
/** Runs `mine` after each settle until `running` settles, fulfilled or not; returns it. */
async function mineUntilSettled<T>(running: Promise<T>, mine: () => void): Promise<T> {
  let done = false;
  const finish = () => {
    done = true;
  };
  running.then(finish, finish);
  while (!done) {
    await settle();
    mine();
  }
  return running;
}

/** Mines every transaction the chain holds. */
function mineAll(chain: { pending(): readonly { mine(): void }[] }): void {
  for (const tx of chain.pending()) tx.mine();
}

async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise<void>((r) => setImmediate(r));
}

interface Sent {
  readonly hash: Hex;
  readonly nonce: number;
  readonly gasLimit: bigint;
  readonly entries: readonly BatchEntry[];
  mine(): void;
  revert(): void;
  lose(): void;
}

/** The error decodeContractError gives for a batch item the contract rejected. */
function itemRejected(index: number): CustosError {
  return new CustosError("CONSENT_ALREADY_ACTIVE", "batch item rejected", {
    details: {
      contract: "ConsentRegistry",
      error: "ConsentRegistryBatchItemRejected",
      args: { index: String(index) },
      data: "0x",
      reason: "ConsentRegistryAlreadyActive",
    },
  });
}

interface ChainScript {
  /** Block gas limit (default 1 M). */
  readonly blockGasLimit?: bigint;
  /**
   * Per-transaction cap asked for (default 340,000: three 333,333-gas transactions fill the
   * 1 M block).
   */
  readonly maxGasPerTransaction?: bigint;
  /** Gas per entry the estimate charges, and the plan's per-entry gas (default 50,000). */
  readonly gasPerEntry?: bigint;
  /** The account's nonce before the batch (default 7). */
  readonly firstNonce?: number;
  /** Subjects the contract refuses (already active). */
  readonly active?: ReadonlySet<string>;
  /** The node refuses this send and every later one (counted from 0). */
  readonly downFromSend?: number;
  /** Most entries the node can estimate before its time limit stops the estimate. */
  readonly estimableEntries?: number;
}

/** A scripted chain: transactions are mined (or reverted, or lost) when the test says. */
function scriptedChain(script: ChainScript = {}) {
  const sent: Sent[] = [];
  const nonceReads: number[] = [];
  let nonce = script.firstNonce ?? 7;
  let inFlight = 0;
  let maxInFlight = 0;
  const gasPerEntry = script.gasPerEntry ?? 50_000n;
  const active = new Set(script.active ?? []);
  let estimates = 0;
  const estimate = async (entries: readonly BatchEntry[]): Promise<bigint> => {
    estimates++;
    if (entries.length > (script.estimableEntries ?? Number.POSITIVE_INFINITY)) {
      throw new CustosError("LEDGER_UNAVAILABLE", "the node did not run the call", {
        details: { reason: "RPC_CALL_TIMEOUT" },
      });
    }
    const at = entries.findIndex((e) => active.has(e.subject));
    if (at >= 0) throw itemRejected(at);
    return 60_000n + BigInt(entries.length) * gasPerEntry;
  };
  const receipts = new Map<Hex, Promise<TransactionResult<ConsentRegistryEvent>>>();
  const plan: ChunkedBatchPlan = {
    provider: { getBlock: async () => ({ gasLimit: script.blockGasLimit ?? 1_000_000n }) as never },
    gasPerItem: gasPerEntry,
    estimate,
    nextNonce: async () => {
      nonceReads.push(nonce);
      return nonce;
    },
    submit: async (entries, gasLimit, txNonce) => {
      if (script.downFromSend !== undefined && sent.length >= script.downFromSend) {
        throw new CustosError("LEDGER_UNAVAILABLE", "connection refused");
      }
      expect(txNonce).toBe(nonce);
      nonce++;
      const hash = `0x${txNonce.toString(16).padStart(64, "0")}` as Hex;
      let settleReceipt!: (ok: boolean, lost?: boolean) => void;
      const receipt = new Promise<TransactionResult<ConsentRegistryEvent>>((resolve, reject) => {
        settleReceipt = (mined, lost) => {
          inFlight--;
          // The contract refuses the whole chunk for an active subject.
          const ok = mined && !entries.some((e) => active.has(e.subject));
          if (ok) {
            for (const e of entries) active.add(e.subject);
            resolve({ hash, blockNumber: 1, gasUsed: gasLimit, events: [] });
          } else if (lost) {
            reject(new CustosError("LEDGER_UNAVAILABLE", "no receipt", { details: { hash } }));
          } else {
            reject(new CustosError("LEDGER_CONTRACT_REVERTED", "transaction reverted"));
          }
        };
      });
      receipts.set(hash, receipt);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sent.push({
        hash,
        nonce: txNonce,
        gasLimit,
        entries,
        mine: () => settleReceipt(true),
        revert: () => settleReceipt(false),
        lose: () => settleReceipt(false, true),
      });
      return hash;
    },
    mined: (hash) => receipts.get(hash) as Promise<TransactionResult<ConsentRegistryEvent>>,
  };
  return {
    plan,
    sent,
    nonceReads,
    estimates: () => estimates,
    options: { maxChunkSize: 2, maxGasPerTransaction: script.maxGasPerTransaction ?? 340_000n },
    active,
    /** Subjects another sender grants meanwhile (the next estimate sees them). */
    grantElsewhere: (subject: string) => active.add(subject),
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    /** Sent transactions not mined yet. */
    pending: () => sent.slice(sent.length - inFlight),
  };
}

function chunkOrder(progress: readonly BatchProgress[]): number[] {
  return progress.map((p) => p.chunk.index);
}

describe("runChunkedBatch with chunks in flight", () => {
  it("keeps up to blocksInFlight blocks' worth in flight, nonces consecutive, reports in order when mined out of order", async () => {
    const chain = scriptedChain();
    const entries = batch(40);
    const progress: BatchProgress[] = [];
    const running = runChunkedBatch(entries, chain.plan, {
      ...chain.options,
      blocksInFlight: 2,
      onProgress: (p) => progress.push(p),
    });
    let result: BatchResult | undefined;
    void running.then((r) => {
      result = r;
    });
    // Slow start: the chain mines the oldest transaction at each step.
    const inFlightSeen: number[] = [];
    for (let step = 0; step < 4; step++) {
      await settle();
      inFlightSeen.push(chain.inFlight());
      chain.pending()[0]?.mine();
    }
    await settle();
    // The newest transactions are mined first: nothing is reported before the oldest.
    const reported = progress.length;
    const pending = chain.pending();
    for (const tx of pending.slice(1).reverse()) tx.mine();
    await settle();
    expect(progress).toHaveLength(reported);
    pending[0]?.mine();
    await settle();
    expect(progress).toHaveLength(reported + pending.length);
    while (result === undefined) {
      for (const tx of chain.pending().reverse()) tx.mine();
      await settle();
    }
    // Slow start (1, 2, 4) up to 2 blocks × 3 transactions of 333,333 gas in a 1 M block.
    expect(inFlightSeen.slice(0, 4)).toEqual([1, 2, 4, 6]);
    expect(chain.maxInFlight()).toBe(6);
    expect(chain.sent.map((tx) => tx.nonce)).toEqual(Array.from({ length: 20 }, (_, i) => 7 + i));
    expect(chain.nonceReads).toEqual([7]);
    expect(chunkOrder(progress)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(progress.map((p) => p.landedEntries)).toEqual(
      Array.from({ length: 20 }, (_, i) => 2 * (i + 1)),
    );
    expect(result.failed).toEqual([]);
    expect(result.remaining).toEqual([]);
    expect(result.landed.flatMap((c) => c.entries)).toEqual(entries);
    expect(result.aborted).toBe(false);
  });

  it("caps the transactions in flight at MAX_TRANSACTIONS_IN_FLIGHT", async () => {
    const chain = scriptedChain({ blockGasLimit: 30_000_000n });
    const running = runChunkedBatch(batch(200), chain.plan, {
      ...chain.options,
      blocksInFlight: 8,
    });
    await mineUntilSettled(running, () => chain.pending()[0]?.mine());
    expect(chain.maxInFlight()).toBe(MAX_TRANSACTIONS_IN_FLIGHT);
  });

  it("halves a chunk whose estimate the node stopped at its time limit, and keeps later chunks that small", async () => {
    const chain = scriptedChain({
      blockGasLimit: 30_000_000n,
      gasPerEntry: 26_800n,
      estimableEntries: 40,
    });
    const entries = batch(150);
    const running = runChunkedBatch(entries, chain.plan, {});
    await mineUntilSettled(running, () => mineAll(chain));
    const result = await running;
    expect(result.failed).toEqual([]);
    expect(result.landed.flatMap((c) => c.entries)).toEqual(entries);
    // 150 timed out, then 75; 38 was estimated, and so was every later chunk, at most 38.
    expect(chain.sent.map((tx) => tx.entries.length)).toEqual([38, 38, 38, 36]);
    expect(chain.estimates()).toBe(2 + 4);
  });

  it("sends one at a time without blocksInFlight, reading the nonce for each chunk", async () => {
    const chain = scriptedChain();
    const running = runChunkedBatch(batch(6), chain.plan, chain.options);
    await mineUntilSettled(running, () => chain.pending()[0]?.mine());
    expect(chain.maxInFlight()).toBe(1);
    expect(chain.nonceReads).toEqual([7, 8, 9]);
    expect((await running).landed).toHaveLength(3);
  });

  it("sizes chunks so that whole ones fill a block: two of 15 M in a 30 M block", async () => {
    const chain = scriptedChain({ blockGasLimit: 30_000_000n, gasPerEntry: 26_800n });
    const running = runChunkedBatch(batch(1200), chain.plan, { blocksInFlight: 1 });
    await mineUntilSettled(running, () => mineAll(chain));
    const limits = chain.sent.map((tx) => tx.gasLimit);
    expect(limits.every((gas) => gas <= 15_000_000n)).toBe(true);
    expect(chain.sent[0]?.entries).toHaveLength(500);
    expect(chain.maxInFlight()).toBe(2);
  });

  it("sends the chunks after the first unestimated while the batch runs clean, with the cap as gas limit", async () => {
    const chain = scriptedChain();
    const running = runChunkedBatch(batch(20), chain.plan, { ...chain.options, blocksInFlight: 2 });
    await mineUntilSettled(running, () => mineAll(chain));
    expect((await running).landed).toHaveLength(10);
    expect(chain.estimates()).toBe(1);
    // The estimated first chunk: 160,000 gas plus 20 %; the others: the cap, 1 M / 3.
    expect(chain.sent.map((tx) => tx.gasLimit)).toEqual([
      192_000n,
      ...Array.from({ length: 9 }, () => 333_333n),
    ]);
  });

  it("estimates every chunk from the first failure on: a rejected chunk is named, later chunks take its nonce", async () => {
    const chain = scriptedChain({ active: new Set([entry(1).subject, entry(5).subject]) });
    const result = await mineUntilSettled(
      runChunkedBatch(batch(10), chain.plan, { ...chain.options, blocksInFlight: 2 }),
      () => mineAll(chain),
    );
    expect(result.failed.map((c) => [c.index, c.rejected?.entryIndex, c.error.code])).toEqual([
      [0, 1, "CONSENT_ALREADY_ACTIVE"],
      [2, 5, "CONSENT_ALREADY_ACTIVE"],
    ]);
    expect(result.landed.map((c) => c.index)).toEqual([1, 3, 4]);
    expect(chain.estimates()).toBe(5);
    expect(chain.sent.map((tx) => tx.nonce)).toEqual([7, 8, 9]);
    expect(result.remaining).toEqual([]);
  });

  it("sends an unestimated chunk the contract rejects, and names the entry once it reverted", async () => {
    const chain = scriptedChain({ active: new Set([entry(5).subject]) });
    const result = await mineUntilSettled(
      runChunkedBatch(batch(10), chain.plan, { ...chain.options, blocksInFlight: 2 }),
      () => mineAll(chain),
    );
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({
      index: 2,
      start: 4,
      rejected: { entryIndex: 5, subject: entry(5).subject },
    });
    expect(result.failed[0]?.error.code).toBe("CONSENT_ALREADY_ACTIVE");
    expect(result.landed.map((c) => c.index)).toEqual([0, 1, 3, 4]);
    // The reverted transaction used its nonce.
    expect(chain.sent.map((tx) => tx.nonce)).toEqual([7, 8, 9, 10, 11]);
  });

  it("estimates a chunk that reverted when mined again, to name the entry", async () => {
    const chain = scriptedChain();
    const running = runChunkedBatch(batch(8), chain.plan, { ...chain.options, blocksInFlight: 2 });
    await settle();
    chain.pending()[0]?.mine();
    await settle();
    // Chunk 1 (entries 2, 3) is in flight when another recorder grants entry 3.
    expect(chain.sent[1]?.entries).toEqual([entry(2), entry(3)]);
    chain.grantElsewhere(entry(3).subject);
    chain.sent[1]?.revert();
    await mineUntilSettled(running, () => mineAll(chain));
    const result = await running;
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.error.code).toBe("CONSENT_ALREADY_ACTIVE");
    expect(result.failed[0]?.rejected).toMatchObject({ entryIndex: 3, subject: entry(3).subject });
    expect(result.landed.flatMap((c) => c.entries)).toEqual([0, 1, 4, 5, 6, 7].map(entry));
    // The reverted transaction used its nonce: the next chunk took the following one.
    expect(chain.sent.map((tx) => tx.nonce)).toEqual([7, 8, 9, 10]);
  });

  it("keeps a mined revert's own error when estimating again names no entry", async () => {
    const chain = scriptedChain();
    const running = runChunkedBatch(batch(2), chain.plan, chain.options);
    await settle();
    chain.sent[0]?.revert();
    const result = await running;
    expect(result.failed[0]?.error.code).toBe("LEDGER_CONTRACT_REVERTED");
    expect(result.failed[0]?.rejected).toBeUndefined();
  });

  it("stops sending when the node stops answering: chunks in flight are awaited, the rest is remaining", async () => {
    const chain = scriptedChain({ downFromSend: 3 });
    const entries = batch(20);
    const progress: BatchProgress[] = [];
    const running = runChunkedBatch(entries, chain.plan, {
      ...chain.options,
      blocksInFlight: 2,
      onProgress: (p) => progress.push(p),
    });
    await settle();
    chain.sent[0]?.mine();
    await settle();
    // Chunks 1 and 2 were sent; the send of chunk 3 failed: nothing more goes out.
    expect(chain.sent).toHaveLength(3);
    chain.sent[2]?.lose();
    await settle();
    expect(progress).toHaveLength(1);
    chain.sent[1]?.mine();
    const result = await running;
    expect(chain.sent).toHaveLength(3);
    expect(chunkOrder(progress)).toEqual([0, 1, 2, 3]);
    expect(result.landed.map((c) => c.index)).toEqual([0, 1]);
    expect(result.failed.map((c) => [c.index, c.error.code])).toEqual([
      [2, "LEDGER_UNAVAILABLE"],
      [3, "LEDGER_UNAVAILABLE"],
    ]);
    expect(result.remaining).toEqual(entries.slice(8));
    expect(result.aborted).toBe(false);
  });

  it("stops sending at an abort and awaits the chunks in flight", async () => {
    const chain = scriptedChain();
    const entries = batch(20);
    const controller = new AbortController();
    const running = runChunkedBatch(entries, chain.plan, {
      ...chain.options,
      blocksInFlight: 2,
      signal: controller.signal,
    });
    await settle();
    chain.sent[0]?.mine();
    await settle();
    expect(chain.inFlight()).toBe(2);
    controller.abort();
    for (const tx of chain.pending()) tx.mine();
    const result = await running;
    expect(result.aborted).toBe(true);
    expect(result.landed.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(result.remaining).toEqual(entries.slice(6));
    expect(chain.sent).toHaveLength(3);
  });

  it("reads the nonce again after a failed send", async () => {
    const chain = scriptedChain();
    let refuse = true;
    const submit = chain.plan.submit;
    const plan: ChunkedBatchPlan = {
      ...chain.plan,
      submit: (entries, gasLimit, nonce) => {
        if (refuse && chain.sent.length === 1) {
          refuse = false;
          return Promise.reject(new CustosError("LEDGER_CONTRACT_REVERTED", "refused"));
        }
        return submit(entries, gasLimit, nonce);
      },
    };
    const result = await mineUntilSettled(
      runChunkedBatch(batch(6), plan, { ...chain.options, blocksInFlight: 2 }),
      () => mineAll(chain),
    );
    expect(result.failed.map((c) => c.index)).toEqual([1]);
    expect(chain.nonceReads).toEqual([7, 8]);
    expect(chain.sent.map((tx) => tx.nonce)).toEqual([7, 8]);
  });

  it("refuses a blocksInFlight that is not a positive integer", async () => {
    const chain = scriptedChain();
    await expectCustosError(
      runChunkedBatch(batch(2), chain.plan, { blocksInFlight: 0 }),
      "INVALID_ARGUMENT",
    );
    await expectCustosError(
      runChunkedBatch(batch(2), chain.plan, { blocksInFlight: 1.5 }),
      "INVALID_ARGUMENT",
    );
  });
});
