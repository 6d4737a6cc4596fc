import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import {
  type ConsentIndexStore,
  createConsentIndex,
  createConsentIndexSync,
  createLevelConsentIndexStore,
  createMemoryConsentIndexStore,
} from "../../src/consentIndex/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { gatedExecutor } from "./cohort/gatedExecutor.ts";
import { eventLog, fakeChain, manualTimers, subjectOf, until } from "./fakeConsentChain.ts";

const P = purposeCodes;
const C = dataCategories;
const TERMS = {
  purposes: P.HMB.bit | P.NCU.bit,
  categories: C.CONDITIONS.bit | C.DRUGS.bit,
  validFrom: 100,
  validUntil: 0,
};
const REQUEST = { use: P.HMB.bit | P.NCU.bit, categories: C.DRUGS.bit };

function setup(
  options: { store?: ConsentIndexStore; confirmations?: number; rangeSize?: number } = {},
) {
  const clock = { now: 1_000 };
  const chain = fakeChain();
  const index = createConsentIndex({ now: () => clock.now, maxStalenessSeconds: 60 });
  const timers = manualTimers();
  const log = eventLog();
  const sync = createConsentIndexSync({
    index,
    source: chain.source,
    fromBlock: 1,
    now: () => clock.now,
    timers: timers.timers,
    pollIntervalMs: 1_000,
    retryInitialMs: 500,
    retryMaxMs: 1_500,
    onEvent: log.onEvent,
    ...options,
  });
  return { clock, chain, index, timers, log, sync };
}

/** A store whose next `failures.commits` commits fail ("disk full"). */
function failingStore(memory: ConsentIndexStore, commits: number) {
  const failures = { commits };
  const store: ConsentIndexStore = {
    readPosition: (s) => memory.readPosition(s),
    records: (s) => memory.records(s),
    async commit(commit, signal) {
      if (failures.commits-- > 0) throw new Error("disk full");
      return memory.commit(commit, signal);
    },
  };
  return { store, failures };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("createConsentIndexSync", () => {
  it("applies grants, updates and revocations range by range and marks the head synced", async () => {
    const { chain, index, sync, log } = setup({ rangeSize: 2 });
    const a = subjectOf(1);
    const b = subjectOf(2);
    chain.grant(1, a, TERMS, 1);
    chain.grant(2, b, TERMS, 2);
    chain.delegate(3, a);
    chain.update(4, a, { ...TERMS, categories: C.CONDITIONS.bit }, 1);
    chain.revoke(5, b, 2);
    const result = await sync.syncOnce();
    expect(result).toEqual({ headBlock: 5, syncedThrough: 5, applied: 4, ignored: 0 });
    expect(chain.reads).toEqual([
      { fromBlock: 1, toBlock: 2 },
      { fromBlock: 3, toBlock: 4 },
      { fromBlock: 5, toBlock: 5 },
    ]);
    expect(index.getRecord(a)).toEqual({
      status: "active",
      ...TERMS,
      categories: C.CONDITIONS.bit,
      version: 2,
      custodian: 1,
    });
    // The revocation keeps the terms of the grant it ends, as the contract does.
    expect(index.getRecord(b)).toEqual({ status: "revoked", ...TERMS, version: 2, custodian: 2 });
    expect(index.syncState()).toMatchObject({ syncedBlock: 5, syncedAt: 1_000 });
    expect(index.checkAccess({ subject: a, ...REQUEST })).toEqual({
      allowed: false,
      reason: "CATEGORY_NOT_PERMITTED",
    });
    expect(index.checkAccess({ subject: b, ...REQUEST })).toEqual({
      allowed: false,
      reason: "REVOKED",
    });
    expect(log.ofType("synced").map((e) => [e.fromBlock, e.toBlock])).toEqual([
      [1, 2],
      [3, 4],
      [5, 5],
    ]);
    expect(sync.status()).toMatchObject({ state: "live", nextBlock: 6, syncedThrough: 5, gaps: 0 });
  });

  it("skips other custodians' events when the source names its custodian", async () => {
    const chain = fakeChain("31337:0xregistry:1");
    const index = createConsentIndex({ now: () => 1_000, maxStalenessSeconds: 60 });
    const sync = createConsentIndexSync({
      index,
      source: { ...chain.source, custodian: 1 },
      fromBlock: 1,
      now: () => 1_000,
    });
    const a = subjectOf(1);
    const b = subjectOf(2);
    // Hospital 2's record of the same pseudonym is another record: never in hospital 1's index.
    chain.grant(1, a, TERMS, 1);
    chain.grant(2, a, { ...TERMS, categories: C.GENOMICS.bit }, 2);
    chain.revoke(3, a, 2);
    chain.grant(4, b, TERMS, 2);
    const result = await sync.syncOnce();
    expect(result).toMatchObject({ applied: 1, ignored: 0 });
    expect(index.getRecord(a)).toEqual({ status: "active", ...TERMS, version: 1, custodian: 1 });
    expect(index.getRecord(b)).toBeUndefined();
    expect(sync.status().gaps).toBe(0);
    expect(index.checkAccess({ subject: a, ...REQUEST }).allowed).toBe(true);
  });

  it("stays `confirmations` blocks behind the head", async () => {
    const { chain, index, sync } = setup({ confirmations: 2 });
    chain.grant(1, subjectOf(1), TERMS);
    chain.grant(4, subjectOf(2), TERMS);
    chain.mine(1); // head 5
    await sync.syncOnce();
    expect(index.syncState().syncedBlock).toBe(3);
    expect(index.getRecord(subjectOf(2))).toBeUndefined();
    chain.mine(2);
    await sync.syncOnce();
    expect(index.getRecord(subjectOf(2))?.version).toBe(1);
  });

  it("reports a gap when an event skips versions the index never saw", async () => {
    const { chain, index, sync, log } = setup();
    const a = subjectOf(3);
    chain.grant(1, a, TERMS);
    chain.update(2, a, TERMS);
    chain.revoke(3, a);
    chain.events.splice(1, 1); // the update never reaches the index
    await sync.syncOnce();
    expect(log.ofType("gap")).toEqual([{ type: "gap", subject: a, version: 3, blockNumber: 3 }]);
    expect(index.getRecord(a)?.status).toBe("revoked");
    expect(sync.status().gaps).toBe(1);
  });

  it("fails closed while the source fails and retries with backoff until it recovers", async () => {
    const { chain, clock, index, sync, timers, log } = setup();
    const a = subjectOf(4);
    chain.grant(1, a, TERMS);
    chain.failures.head = 3;
    sync.start();
    await until(() => timers.pending.size === 1);
    expect(index.checkAccess({ subject: a, ...REQUEST }).reason).toBe("INDEX_NOT_SYNCED");
    expect(timers.delays()).toEqual([500]);
    timers.fire();
    await until(() => log.ofType("error").length === 2 && timers.pending.size === 1);
    expect(timers.delays()).toEqual([1_000]);
    timers.fire();
    await until(() => log.ofType("error").length === 3 && timers.pending.size === 1);
    expect(timers.delays()).toEqual([1_500]); // capped at retryMaxMs
    expect(sync.status()).toMatchObject({ state: "retrying", failures: 3 });
    expect(sync.status().lastError?.code).toBe("INTERNAL");
    timers.fire();
    await sync.whenCaughtUp();
    expect(index.checkAccess({ subject: a, ...REQUEST })).toEqual({
      allowed: true,
      reason: "PERMITTED",
    });

    // Once live, a failing source denies every check at once (not only after the staleness
    // bound) instead of answering from data that may miss events.
    await until(() => timers.pending.size === 1);
    expect(timers.delays()).toEqual([1_000]);
    chain.failures.head = 100;
    clock.now += 1;
    timers.fire();
    await until(() => log.ofType("error").length === 4 && timers.pending.size === 1);
    expect(index.syncState()).toMatchObject({ syncFailed: true, syncedAt: 1_000 });
    expect(index.checkAccess({ subject: a, ...REQUEST }).reason).toBe("INDEX_SYNC_FAILED");
    expect(index.filterCohort([a], REQUEST).deniedByReason.INDEX_SYNC_FAILED).toBe(1);
    clock.now += 60;
    expect(index.checkAccess({ subject: a, ...REQUEST }).reason).toBe("INDEX_SYNC_FAILED");
    chain.failures.head = 0;
    timers.fire();
    await until(() => sync.status().state === "live");
    expect(index.syncState().syncFailed).toBe(false);
    expect(index.checkAccess({ subject: a, ...REQUEST }).allowed).toBe(true);
    await sync.stop();
    expect(timers.pending.size).toBe(0);
  });

  it("marks the index unsynced on a failed store commit, but not on the caller's own abort", async () => {
    const { store, failures } = failingStore(createMemoryConsentIndexStore(), 0);
    const { chain, index, sync } = setup({ store });
    const a = subjectOf(13);
    chain.grant(1, a, TERMS);
    await sync.syncOnce();
    expect(index.checkAccess({ subject: a, ...REQUEST }).allowed).toBe(true);
    chain.grant(2, subjectOf(14), TERMS);
    failures.commits = 1;
    await expectCustosError(sync.syncOnce(), "INTERNAL");
    expect(index.checkAccess({ subject: a, ...REQUEST }).reason).toBe("INDEX_SYNC_FAILED");
    await sync.syncOnce();
    expect(index.checkAccess({ subject: a, ...REQUEST }).allowed).toBe(true);

    chain.grant(3, subjectOf(15), TERMS);
    const aborted = new AbortController();
    aborted.abort();
    await expect(sync.syncOnce(aborted.signal)).rejects.toThrow();
    expect(index.syncState().syncFailed).toBe(false);
    expect(index.checkAccess({ subject: a, ...REQUEST }).allowed).toBe(true);
  });

  it("applies a range only once an asynchronous cohort filter has stopped reading the index", async () => {
    const clock = { now: 1_000 };
    const chain = fakeChain();
    const gate = gatedExecutor();
    const index = createConsentIndex({ now: () => clock.now, cohortExecutor: gate.executor });
    const sync = createConsentIndexSync({
      index,
      source: chain.source,
      fromBlock: 1,
      now: () => clock.now,
    });
    const a = subjectOf(16);
    const b = subjectOf(17);
    chain.grant(1, a, TERMS);
    await sync.syncOnce();
    const filtering = index.filterCohortAsync([a, b], REQUEST);
    await until(() => gate.waiting() === 1);
    expect(index.busy).toBe(true);
    expectCustosError(
      () =>
        index.apply({
          subject: b,
          ...TERMS,
          status: "active",
          version: 1,
          custodian: 1,
          blockNumber: 2,
          logIndex: 0,
        }),
      "CONSENT_INDEX_BUSY",
    );
    chain.grant(2, b, TERMS);
    const syncing = sync.syncOnce();
    await until(() => chain.reads.length === 2);
    expect(index.getRecord(b)).toBeUndefined();
    gate.openAll();
    const [cohort, pass] = await Promise.all([filtering, syncing]);
    // The filter saw the table before the second grant; the sync applied it afterwards.
    expect([...cohort.allowedIndices]).toEqual([0]);
    expect(cohort.deniedByReason.UNKNOWN_SUBJECT).toBe(1);
    expect(pass).toMatchObject({ applied: 1, syncedThrough: 2 });
    expect(index.busy).toBe(false);
    expect(index.checkAccess({ subject: b, ...REQUEST }).allowed).toBe(true);
  });

  it("applies nothing of a range whose reading fails midway, then applies it on retry", async () => {
    const store = createMemoryConsentIndexStore();
    const { chain, index, sync } = setup({ store });
    chain.grant(1, subjectOf(5), TERMS);
    chain.grant(1, subjectOf(6), TERMS);
    chain.failures.events = 1;
    chain.failures.eventsAfter = 1;
    await expectCustosError(sync.syncOnce(), "INTERNAL");
    expect(index.size).toBe(0);
    expect(await store.readPosition()).toBeNull();
    await sync.syncOnce();
    expect(index.size).toBe(2);
    expect(await store.readPosition()).toEqual({ blockNumber: 1, scope: "31337:0xregistry" });
  });

  it("persists a range again after a failed commit although the changes are already in memory", async () => {
    const memory = createMemoryConsentIndexStore();
    const { store } = failingStore(memory, 1);
    const { chain, sync } = setup({ store });
    chain.grant(1, subjectOf(7), TERMS);
    await expectCustosError(sync.syncOnce(), "INTERNAL");
    const second = await sync.syncOnce();
    expect(second).toMatchObject({ applied: 0, ignored: 1, syncedThrough: 1 });
    const stored = [];
    for await (const r of memory.records()) stored.push(r);
    expect(stored).toEqual([
      { subject: subjectOf(7), state: { status: "active", ...TERMS, version: 1, custodian: 1 } },
    ]);
  });

  it("wakes on a new block before the poll interval ends", async () => {
    const { chain, index, sync, timers } = setup();
    chain.grant(1, subjectOf(8), TERMS);
    sync.start();
    await sync.whenCaughtUp();
    await until(() => timers.pending.size === 1);
    chain.grant(2, subjectOf(9), TERMS);
    chain.mine(0); // notifies the subscribers with the current head
    await until(() => index.getRecord(subjectOf(9)) !== undefined);
    expect(index.syncState().syncedBlock).toBe(2);
    await sync.stop();
    expect(chain.listeners.size).toBe(0);
  });

  it("stops: waiters reject with CONSENT_SYNC_STOPPED, an aborted signal stops it too", async () => {
    const { chain, sync } = setup();
    chain.failures.head = 10;
    sync.start();
    const waiting = sync.whenCaughtUp();
    await sync.stop();
    await expectCustosError(waiting, "CONSENT_SYNC_STOPPED");
    await expectCustosError(sync.syncOnce(), "CONSENT_SYNC_STOPPED");
    expect(sync.status().state).toBe("stopped");

    const controller = new AbortController();
    const other = createConsentIndexSync({
      index: createConsentIndex({ now: () => 0 }),
      source: fakeChain().source,
      fromBlock: 0,
      now: () => 0,
      signal: controller.signal,
      timers: manualTimers().timers,
    });
    const aborted = new AbortController();
    const waitingOther = other.whenCaughtUp(aborted.signal);
    aborted.abort();
    await expectCustosError(waitingOther, "CONSENT_SYNC_STOPPED");
    controller.abort();
    await expectCustosError(other.syncOnce(), "CONSENT_SYNC_STOPPED");
  });

  it("resumes from the level store after a restart without reading old blocks again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "custos-index-"));
    dirs.push(dir);
    const chain = fakeChain();
    const a = subjectOf(10);
    const b = subjectOf(11);
    chain.grant(1, a, TERMS);
    chain.grant(2, b, TERMS);
    chain.update(3, a, { ...TERMS, validUntil: 5_000 });
    const first = createLevelConsentIndexStore({ location: dir });
    const index1 = createConsentIndex({ now: () => 1_000 });
    await createConsentIndexSync({
      index: index1,
      source: chain.source,
      store: first,
      fromBlock: 1,
      now: () => 1_000,
    }).syncOnce();
    await first.close();

    chain.revoke(4, b);
    chain.grant(5, subjectOf(12), TERMS);
    chain.reads.length = 0;
    const second = createLevelConsentIndexStore({ location: dir });
    const index2 = createConsentIndex({ now: () => 2_000 });
    const log = eventLog();
    const sync2 = createConsentIndexSync({
      index: index2,
      source: chain.source,
      store: second,
      fromBlock: 1,
      now: () => 2_000,
      onEvent: log.onEvent,
    });
    await sync2.syncOnce();
    expect(log.ofType("loaded")).toEqual([
      { type: "loaded", records: 2, position: { blockNumber: 3, scope: "31337:0xregistry" } },
    ]);
    expect(chain.reads).toEqual([{ fromBlock: 4, toBlock: 5 }]);

    const fresh = createConsentIndex({ now: () => 2_000 });
    await createConsentIndexSync({
      index: fresh,
      source: chain.source,
      fromBlock: 1,
      now: () => 2_000,
    }).syncOnce();
    for (const s of [a, b, subjectOf(12)]) expect(index2.getRecord(s)).toEqual(fresh.getRecord(s));
    expect(index2.getRecord(b)).toMatchObject({
      status: "revoked",
      version: 2,
      purposes: TERMS.purposes,
    });
    expect(index2.checkAccess({ subject: a, ...REQUEST, at: 4_999 }).allowed).toBe(true);
    await second.close();
  });

  it("refuses a store of another registry, and a store ahead of the chain", async () => {
    const store = createMemoryConsentIndexStore();
    await store.commit({ records: [], position: { blockNumber: 9, scope: "1:0xother" } });
    const { sync } = setup({ store });
    const error = await expectCustosError(sync.syncOnce(), "CONSENT_INDEX_STORE_MISMATCH");
    expect(error.details).toMatchObject({ problem: "scope" });

    const ahead = createMemoryConsentIndexStore();
    await ahead.commit({ records: [], position: { blockNumber: 9, scope: "31337:0xregistry" } });
    const second = setup({ store: ahead });
    second.chain.mine(3);
    const err2 = await expectCustosError(second.sync.syncOnce(), "CONSENT_INDEX_STORE_MISMATCH");
    expect(err2.details).toMatchObject({ problem: "ahead", head: 3 });
    expect(second.index.checkAccess({ subject: subjectOf(1), ...REQUEST }).reason).toBe(
      "INDEX_NOT_SYNCED",
    );
  });

  it("rejects malformed options with INVALID_ARGUMENT naming the field", () => {
    const index = createConsentIndex({ now: () => 0 });
    const source = fakeChain().source;
    const base = { index, source, fromBlock: 0, now: () => 0 };
    for (const [field, patch] of [
      ["fromBlock", { fromBlock: -1 }],
      ["confirmations", { confirmations: 1.5 }],
      ["pollIntervalMs", { pollIntervalMs: 0 }],
      ["rangeSize", { rangeSize: 0 }],
      ["now", { now: 5 }],
      ["source", { source: {} }],
      ["source.custodian", { source: { ...source, custodian: 0 } }],
    ] as const) {
      const error = expectCustosError(
        () =>
          createConsentIndexSync({ ...base, ...(patch as object) } as Parameters<
            typeof createConsentIndexSync
          >[0]),
        "INVALID_ARGUMENT",
      );
      expect(error.details).toEqual({ field });
    }
  });
});
