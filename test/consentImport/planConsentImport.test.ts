import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import {
  type ConsentImportProgress,
  LandedLines,
  planConsentImport,
} from "../../src/consentImport/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type {
  BatchEntry,
  BatchOptions,
  BatchResult,
  ConsentRegistryClient,
  ConsentRegistryEvent,
  ConsentTerms,
  FailedChunk,
  LandedChunk,
} from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const subject = (i: number) => `0x${i.toString(16).padStart(64, "5")}` as Bytes32;
const hash = (i: number) => `0x${i.toString(16).padStart(64, "d")}` as Bytes32;
const TERMS = { purposes: 2, categories: 4, validFrom: 0, validUntil: 0 };

/** A CSV of `count` rows, subjects 0…count-1 on lines 2…count+1, with `edit` applied. */
function csv(count: number, edit: (lines: string[]) => void = () => undefined): string {
  const lines = ["subject,documentHash"];
  for (let i = 0; i < count; i++) lines.push(`${subject(i)},${hash(i)}`);
  edit(lines);
  return `${lines.join("\n")}\n`;
}

async function* text(value: string): AsyncGenerator<string> {
  for (let at = 0; at < value.length; at += 100) yield value.slice(at, at + 100);
}

interface FakeChain {
  /** When set, chunks after this many fail as if the node went away. */
  downAfter?: number | undefined;
  /** With `downAfter`: the first chunk after it is mined before the node goes, unseen. */
  minedUnseen?: boolean;
  /** Called after each chunk with its number, from 1. */
  afterChunk?: (chunk: number) => void;
}

interface Grant {
  readonly blockNumber: number;
  readonly subject: Bytes32;
  readonly documentHash: Bytes32;
  readonly terms: ConsentTerms;
}

/**
 * A registry whose batchGrant behaves as the ledger client's: chunks of 3, each landed one
 * mined in a block of its own with a `ConsentGranted` event per row, a chunk holding an
 * active subject fails whole naming it, a transport failure stops the batch, the signal
 * stops it before the next chunk.
 */
function fakeRegistry(active: readonly Bytes32[], chain: FakeChain = {}) {
  const granted = new Set<string>(active);
  const calls: number[] = [];
  const inFlight: (number | undefined)[] = [];
  const grants: Grant[] = [];
  let head = 0;
  let chunks = 0;
  const mine = (entries: readonly BatchEntry[], terms: ConsentTerms) => {
    head++;
    for (const entry of entries) {
      granted.add(entry.subject);
      grants.push({ blockNumber: head, ...entry, terms });
    }
  };
  const registry: Pick<ConsentRegistryClient, "batchGrant" | "consentEvents"> = {
    async *consentEvents(options = {}) {
      for (const grant of grants) {
        if (grant.blockNumber < (options.fromBlock ?? 0)) continue;
        if (grant.blockNumber > (options.toBlock ?? head)) continue;
        const { subject, documentHash, terms } = grant;
        yield {
          name: "ConsentGranted",
          args: { subject, custodian: 1, version: 1, ...terms, documentHash },
          blockNumber: grant.blockNumber,
        } as unknown as ConsentRegistryEvent;
      }
    },
    batchGrant: async (entries, terms, options: BatchOptions = {}): Promise<BatchResult> => {
      calls.push(entries.length);
      inFlight.push(options.blocksInFlight);
      const landed: LandedChunk[] = [];
      const failed: FailedChunk[] = [];
      const total = entries.length;
      const result = (start: number, aborted: boolean) => ({
        total,
        landed,
        failed,
        remaining: entries.slice(start),
        aborted,
      });
      for (let start = 0; start < entries.length; start += 3) {
        if (options.signal?.aborted === true) return result(start, true);
        const chunkEntries: readonly BatchEntry[] = entries.slice(start, start + 3);
        const index = landed.length + failed.length;
        chunks++;
        const at = chunkEntries.findIndex((entry) => granted.has(entry.subject));
        let chunk: LandedChunk | FailedChunk;
        if (chain.downAfter !== undefined && chunks > chain.downAfter) {
          if (chain.minedUnseen === true && at < 0) mine(chunkEntries, terms);
          const error = new CustosError("LEDGER_UNAVAILABLE", "node gone");
          chunk = { outcome: "failed", index, start, entries: chunkEntries, error };
          failed.push(chunk);
          options.onProgress?.({ total, landedEntries: 0, failedEntries: 0, chunk });
          return result(start + chunkEntries.length, false);
        }
        if (at >= 0) {
          const error = new CustosError("CONSENT_ALREADY_ACTIVE", "already active");
          const rejected = {
            entryIndex: start + at,
            subject: (chunkEntries[at] as BatchEntry).subject,
            reason: "ConsentRegistryAlreadyActive",
          };
          chunk = { outcome: "failed", index, start, entries: chunkEntries, error, rejected };
          failed.push(chunk);
        } else {
          mine(chunkEntries, terms);
          const transaction = {} as LandedChunk["transaction"];
          chunk = { outcome: "landed", index, start, entries: chunkEntries, transaction };
          landed.push(chunk);
        }
        options.onProgress?.({ total, landedEntries: 0, failedEntries: 0, chunk });
        chain.afterChunk?.(chunks);
      }
      return result(entries.length, false);
    },
  };
  return { registry, granted, calls, inFlight, grants, head: async () => head };
}

describe("planConsentImport", () => {
  it("counts the rows before sending, then lands them a window at a time", async () => {
    const file = csv(10, (lines) => {
      lines[4] = "0x12,0x34";
    });
    const plan = await planConsentImport({ open: () => text(file), format: "csv" });
    expect(plan).toMatchObject({ rows: 10, skipped: 0, pending: 9 });
    expect(plan.invalid).toEqual([
      { line: 5, reason: "CONSENT_IMPORT_INVALID", problem: "subject must be bytes32 hex" },
    ]);
    const chain = fakeRegistry([]);
    const progress: ConsentImportProgress[] = [];
    const checkpoints: string[] = [];
    const report = await plan.run({
      registry: chain.registry,
      terms: TERMS,
      windowRows: 4,
      onProgress: (p) => progress.push(p),
      onCheckpoint: async (checkpoint) => {
        checkpoints.push(checkpoint);
      },
    });
    expect(chain.calls).toEqual([4, 4, 1]);
    expect(chain.granted.size).toBe(9);
    expect(report).toEqual({
      rows: 10,
      skipped: 0,
      landed: 9,
      recovered: 0,
      failed: plan.invalid,
      interrupted: false,
      notLanded: 0,
      landedInAll: 9,
    });
    expect(progress.at(-1)).toEqual({ landed: 9, failed: 0, total: 9 });
    expect(checkpoints.at(-1)).toBe('{"format":2,"landedRanges":[[2,4],[6,11]]}\n');
  });

  it("keeps blocks in flight as asked and writes checkpoints at a bounded rate, the final state last", async () => {
    const chain = fakeRegistry([]);
    const plan = await planConsentImport({ open: () => text(csv(20)), format: "csv" });
    const checkpoints: string[] = [];
    let now = 0;
    const report = await plan.run({
      registry: chain.registry,
      terms: TERMS,
      windowRows: 8,
      blocksInFlight: 3,
      clock: () => now,
      checkpointIntervalMs: 1_000,
      onProgress: () => {
        now += 400;
      },
      onCheckpoint: async (checkpoint) => {
        checkpoints.push(checkpoint);
      },
    });
    expect(report.landed).toBe(20);
    expect(chain.inFlight).toEqual([3, 3, 3]);
    // Eight chunks land 400 ms apart (at 0, 400, …): written at 0, 1,200 and 2,400 ms, then
    // the final state.
    expect(checkpoints).toEqual([
      '{"format":2,"landedRanges":[[2,4]]}\n',
      '{"format":2,"landedRanges":[[2,12]]}\n',
      '{"format":2,"landedRanges":[[2,20]]}\n',
      '{"format":2,"landedRanges":[[2,21]]}\n',
    ]);
  });

  it("reports a row the chain refuses with its code and lands the rest of its chunk", async () => {
    const file = csv(7);
    const chain = fakeRegistry([subject(4)]);
    const plan = await planConsentImport({ open: () => text(file), format: "csv" });
    const report = await plan.run({ registry: chain.registry, terms: TERMS });
    expect(report.failed).toEqual([
      { line: 6, reason: "CONSENT_ALREADY_ACTIVE", subject: subject(4) },
    ]);
    expect(report).toMatchObject({ landed: 6, notLanded: 0 });
    expect(chain.calls).toEqual([7, 2]);
  });

  it("skips the lines of the checkpoint on resume", async () => {
    const file = csv(6);
    const landed = LandedLines.fromCheckpoint('{"format":2,"landedRanges":[[2,3],[6,6]]}');
    const chain = fakeRegistry([]);
    const plan = await planConsentImport({ open: () => text(file), format: "csv", landed });
    expect(plan).toMatchObject({ rows: 6, skipped: 3, pending: 3 });
    const report = await plan.run({ registry: chain.registry, terms: TERMS });
    expect(chain.calls).toEqual([3]);
    expect(report).toMatchObject({ skipped: 3, landed: 3, landedInAll: 6, failed: [] });
  });

  it("stops at an interrupt after the chunk in flight and says where to go on", async () => {
    const interrupt = new AbortController();
    const chain = fakeRegistry([], { afterChunk: (n) => n === 1 && interrupt.abort() });
    const plan = await planConsentImport({ open: () => text(csv(20)), format: "csv" });
    const report = await plan.run({
      registry: chain.registry,
      terms: TERMS,
      windowRows: 8,
      signal: interrupt.signal,
    });
    expect(report).toMatchObject({
      interrupted: true,
      landed: 3,
      notLanded: 17,
      firstNotLanded: 5,
      failed: [],
    });
    expect(chain.calls).toEqual([8]);
  });

  it("finds the first row not landed in the next window when a window ended at the interrupt", async () => {
    const interrupt = new AbortController();
    const chain = fakeRegistry([], { afterChunk: (n) => n === 2 && interrupt.abort() });
    const plan = await planConsentImport({ open: () => text(csv(20)), format: "csv" });
    const report = await plan.run({
      registry: chain.registry,
      terms: TERMS,
      windowRows: 6,
      signal: interrupt.signal,
    });
    expect(report).toMatchObject({ interrupted: true, landed: 6, firstNotLanded: 8 });
    expect(chain.calls).toEqual([6, 6]);
  });

  it("reports the rows after a chain that stopped answering as NOT_ATTEMPTED", async () => {
    const chain = fakeRegistry([], { downAfter: 1 });
    const plan = await planConsentImport({ open: () => text(csv(8)), format: "csv" });
    const report = await plan.run({ registry: chain.registry, terms: TERMS, windowRows: 5 });
    expect(report.failed.map((f) => [f.line, f.reason])).toEqual([
      [5, "LEDGER_UNAVAILABLE"],
      [6, "LEDGER_UNAVAILABLE"],
      [7, "NOT_ATTEMPTED"],
      [8, "NOT_ATTEMPTED"],
      [9, "NOT_ATTEMPTED"],
    ]);
    expect(report).toMatchObject({ landed: 3, notLanded: 0, interrupted: false });
    expect(chain.calls).toEqual([5]);
  });

  it("on resume, records the rows an interrupted run landed unseen, and sends none twice", async () => {
    const chain: FakeChain = { downAfter: 1, minedUnseen: true };
    const fake = fakeRegistry([], chain);
    const checkpoints: string[] = [];
    const first = await planConsentImport({ open: () => text(csv(8)), format: "csv" });
    const stopped = await first.run({
      registry: fake.registry,
      terms: TERMS,
      windowRows: 5,
      headBlock: fake.head,
      onCheckpoint: async (checkpoint) => {
        checkpoints.push(checkpoint);
      },
    });
    // Lines 5 and 6 were mined in block 2 as the node went: the sender saw a transport error.
    expect(stopped).toMatchObject({ landed: 3, recovered: 0 });
    expect(fake.grants.filter((g) => g.blockNumber === 2).map((g) => g.subject)).toEqual([
      subject(3),
      subject(4),
    ]);
    const checkpoint = checkpoints.at(-1) as string;
    expect(checkpoint).toBe('{"format":2,"landedRanges":[[2,4]],"sentAfterBlock":0}\n');

    chain.downAfter = undefined;
    // A grant of another document after the block is not the row's: it is sent, and refused.
    fake.grants.push({
      blockNumber: 3,
      subject: subject(6),
      documentHash: hash(99),
      terms: TERMS,
    });
    fake.granted.add(subject(6));
    const landed = LandedLines.fromCheckpoint(checkpoint);
    const resumed = await planConsentImport({ open: () => text(csv(8)), format: "csv", landed });
    expect(resumed).toMatchObject({ skipped: 3, pending: 5 });
    const report = await resumed.run({
      registry: fake.registry,
      terms: TERMS,
      headBlock: fake.head,
    });
    expect(fake.calls.slice(1)).toEqual([3, 2]);
    expect(report).toMatchObject({
      skipped: 3,
      recovered: 2,
      landed: 2,
      notLanded: 0,
      landedInAll: 7,
      interrupted: false,
    });
    expect(report.failed.map((f) => [f.line, f.reason])).toEqual([[8, "CONSENT_ALREADY_ACTIVE"]]);
    expect(fake.grants.filter((g) => g.subject === subject(3))).toHaveLength(1);
  });

  it("recovers nothing without the block in the checkpoint: a landed row is refused", async () => {
    const chain: FakeChain = { downAfter: 1, minedUnseen: true };
    const fake = fakeRegistry([], chain);
    const first = await planConsentImport({ open: () => text(csv(5)), format: "csv" });
    await first.run({ registry: fake.registry, terms: TERMS });
    chain.downAfter = undefined;
    const landed = LandedLines.fromCheckpoint('{"format":2,"landedRanges":[[2,4]]}');
    const resumed = await planConsentImport({ open: () => text(csv(5)), format: "csv", landed });
    const report = await resumed.run({ registry: fake.registry, terms: TERMS });
    expect(report.recovered).toBe(0);
    expect(report.failed.map((f) => f.reason)).toEqual([
      "CONSENT_ALREADY_ACTIVE",
      "CONSENT_ALREADY_ACTIVE",
    ]);
  });

  it("fails with what batchGrant throws, after the checkpoints written so far", async () => {
    let written = "";
    let calls = 0;
    const registry: Pick<ConsentRegistryClient, "batchGrant" | "consentEvents"> = {
      consentEvents: fakeRegistry([]).registry.consentEvents,
      batchGrant: async (entries, terms, options) => {
        if (++calls === 2) throw new CustosError("LEDGER_UNAVAILABLE", "no block");
        return fakeRegistry([]).registry.batchGrant(entries, terms, options);
      },
    };
    const plan = await planConsentImport({ open: () => text(csv(5)), format: "csv" });
    await expectCustosError(
      plan.run({
        registry,
        terms: TERMS,
        windowRows: 3,
        onCheckpoint: async (checkpoint) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          written = checkpoint;
        },
      }),
      "LEDGER_UNAVAILABLE",
    );
    expect(written).toBe('{"format":2,"landedRanges":[[2,4]]}\n');
  });
});
