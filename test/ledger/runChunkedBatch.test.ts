import { describe, expect, it } from "vitest";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import {
  type BatchEntry,
  type BatchProgress,
  type BatchResult,
  TRANSACTION_GAS_CAP,
} from "../../src/ledger/index.ts";
import { connectLedger, doc, expectLedgerError, subject } from "./ledgerFixture.ts";

const env = await connectLedger();
const { accounts } = env;
const terms = {
  purposes: purposeCodes.GRU.bit,
  categories: dataCategories.CONDITIONS.bit,
  validFrom: 0,
  validUntil: 0,
};
const entries = (prefix: string, n: number): BatchEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    subject: subject(`${prefix}${i}`),
    documentHash: doc(`${prefix}${i}`),
  }));

async function gasLimitOf(hash: string): Promise<bigint> {
  const tx = await env.ethers.provider.getTransaction(hash);
  if (tx === null) throw new Error("no transaction");
  return tx.gasLimit;
}

/** Chunks are consecutive, in order, and cover exactly the given entries. */
function expectContiguous(result: BatchResult, batch: readonly BatchEntry[]): void {
  const chunks = [...result.landed, ...result.failed].sort((a, b) => a.index - b.index);
  let next = 0;
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.start).toBe(next);
    expect(chunk.entries).toEqual(batch.slice(next, next + chunk.entries.length));
    next += chunk.entries.length;
  });
  expect(next + result.remaining.length).toBe(batch.length);
}

describe("batchGrant / batchRevoke chunking", () => {
  it("splits a batch under a small gas cap and reports every chunk", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("small", 40);
    const progress: BatchProgress[] = [];
    const cap = 400_000n;
    const result = await registry.batchGrant(batch, terms, {
      maxGasPerTransaction: cap,
      onProgress: (p) => progress.push(p),
    });
    expect(result.failed).toEqual([]);
    expect(result.remaining).toEqual([]);
    expect(result.aborted).toBe(false);
    expect(result.landed.length).toBeGreaterThan(3);
    expectContiguous(result, batch);
    for (const chunk of result.landed) {
      expect(await gasLimitOf(chunk.transaction.hash)).toBeLessThanOrEqual(cap);
      expect(
        chunk.transaction.events.map((e) => e.name === "ConsentGranted" && e.args.subject),
      ).toEqual(chunk.entries.map((e) => e.subject));
    }
    expect(progress.map((p) => p.chunk)).toEqual(result.landed);
    expect(progress.map((p) => p.landedEntries)).toEqual(
      result.landed.map((c) => c.start + c.entries.length),
    );
    expect(progress.every((p) => p.total === 40 && p.failedEntries === 0)).toBe(true);
    for (const entry of batch) {
      expect((await registry.consentOf(entry.subject)).status).toBe("active");
    }
  });

  it("keeps chunks in flight with the signer's nonces counted in order", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("inflight", 40);
    const result = await registry.batchGrant(batch, terms, {
      maxGasPerTransaction: 400_000n,
      blocksInFlight: 2,
    });
    expect(result.failed).toEqual([]);
    expectContiguous(result, batch);
    const nonces = await Promise.all(
      result.landed.map(
        async (chunk) => (await env.ethers.provider.getTransaction(chunk.transaction.hash))?.nonce,
      ),
    );
    const first = nonces[0] ?? 0;
    expect(nonces).toEqual(nonces.map((_, i) => first + i));
    for (const entry of batch) {
      expect((await registry.consentOf(entry.subject)).status).toBe("active");
    }
  });

  it("keeps landed chunks and names the rejected subject of a failing chunk", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("fail", 30);
    const culprit = batch[15] as BatchEntry;
    await registry.grant({ ...terms, ...culprit });
    const progress: BatchProgress[] = [];
    const result = await registry.batchGrant(batch, terms, {
      maxGasPerTransaction: 300_000n,
      onProgress: (p) => progress.push(p),
    });
    expectContiguous(result, batch);
    expect(result.failed).toHaveLength(1);
    const failed = result.failed[0];
    if (failed === undefined) throw new Error("unreachable");
    expect(failed.rejected).toEqual({
      entryIndex: 15,
      subject: culprit.subject,
      reason: "ConsentRegistryAlreadyActive",
    });
    expect(failed.error.code).toBe("CONSENT_ALREADY_ACTIVE");
    expect(failed.error.details).toMatchObject({
      error: "ConsentRegistryBatchItemRejected",
      reason: "ConsentRegistryAlreadyActive",
    });
    expect(failed.start).toBeLessThanOrEqual(15);
    expect(failed.start + failed.entries.length).toBeGreaterThan(15);
    for (const entry of batch) {
      const inFailed = failed.entries.includes(entry) && entry !== culprit;
      expect((await registry.consentOf(entry.subject)).status).toBe(inFailed ? "none" : "active");
    }
    const lastReport = progress.at(-1);
    expect(lastReport?.landedEntries).toBe(30 - failed.entries.length);
    expect(lastReport?.failedEntries).toBe(failed.entries.length);

    const retried = await registry.batchGrant(
      failed.entries.filter((e) => e !== culprit),
      terms,
    );
    expect(retried.landed.flatMap((c) => c.entries)).toHaveLength(failed.entries.length - 1);
  });

  it("stops at the first failure on request and leaves the rest in remaining", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("stop", 30);
    await registry.grant({ ...terms, ...(batch[3] as BatchEntry) });
    const result = await registry.batchGrant(batch, terms, {
      maxGasPerTransaction: 300_000n,
      stopOnFailure: true,
    });
    expect(result.landed).toEqual([]);
    expect(result.failed).toHaveLength(1);
    expectContiguous(result, batch);
    expect(result.remaining.length).toBeGreaterThan(0);
  });

  it("refuses to re-grant a revoked subject in bulk (CONSENT_REVOKED_IN_BATCH)", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("revoked", 3);
    const revoked = batch[1] as BatchEntry;
    await registry.grant({ ...terms, ...revoked });
    await registry.revoke(revoked.subject, doc("revoked:r"));
    const result = await registry.batchGrant(batch, terms);
    expect(result.failed[0]?.error.code).toBe("CONSENT_REVOKED_IN_BATCH");
    expect(result.failed[0]?.rejected?.subject).toBe(revoked.subject);
  });

  it("revokes in chunks and reports a subject that is not active", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("rev", 24);
    await registry.batchGrant(batch.slice(0, 23), terms);
    const result = await registry.batchRevoke(batch, { maxGasPerTransaction: 150_000n });
    expectContiguous(result, batch);
    expect(result.landed.length).toBeGreaterThan(1);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.rejected).toEqual({
      entryIndex: 23,
      subject: batch[23]?.subject,
      reason: "ConsentRegistryNotActive",
    });
    expect(result.failed[0]?.error.code).toBe("CONSENT_NOT_ACTIVE");
    for (const chunk of result.landed) {
      expect(await gasLimitOf(chunk.transaction.hash)).toBeLessThanOrEqual(150_000n);
    }
    expect((await registry.consentOf(batch[0]?.subject ?? "0x")).status).toBe("revoked");
  });

  it("stops before the next chunk when aborted and returns the unsent entries", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const batch = entries("abort", 30);
    const controller = new AbortController();
    const result = await registry.batchGrant(batch, terms, {
      maxGasPerTransaction: 300_000n,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(result.aborted).toBe(true);
    expect(result.landed).toHaveLength(1);
    expectContiguous(result, batch);
    expect(result.remaining).toEqual(batch.slice(result.landed[0]?.entries.length));
  });

  it("stays under the per-transaction cap by default and under a small block gas limit", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const big = entries("big", 600);
    const result = await registry.batchGrant(big, terms);
    expect(result.failed).toEqual([]);
    expect(result.landed.length).toBeGreaterThanOrEqual(2);
    for (const chunk of result.landed) {
      expect(await gasLimitOf(chunk.transaction.hash)).toBeLessThanOrEqual(TRANSACTION_GAS_CAP);
    }
    await env.ethers.provider.send("evm_setBlockGasLimit", ["0x7a120"]);
    // The new limit holds from the next block; clients read it from the latest one.
    await env.ethers.provider.send("evm_mine", []);
    try {
      const small = entries("blocklimit", 25);
      const limited = await registry.batchGrant(small, terms);
      expect(limited.failed).toEqual([]);
      expect(limited.landed.length).toBeGreaterThan(1);
      for (const chunk of limited.landed) {
        expect(await gasLimitOf(chunk.transaction.hash)).toBeLessThanOrEqual(500_000n);
      }
    } finally {
      await env.ethers.provider.send("evm_setBlockGasLimit", ["0x3938700"]);
    }
  });

  it("rejects empty batches, bad chunk sizes and caps too small for one entry", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    await expectLedgerError(registry.batchGrant([], terms), "INVALID_ARGUMENT");
    await expectLedgerError(
      registry.batchGrant(entries("x", 1), terms, { maxChunkSize: 0 }),
      "INVALID_ARGUMENT",
    );
    await expectLedgerError(
      registry.batchRevoke(entries("x", 1), { maxGasPerTransaction: 50_000n }),
      "INVALID_ARGUMENT",
    );
  });
});
