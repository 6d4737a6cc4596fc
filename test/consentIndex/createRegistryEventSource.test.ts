/**
 * The consent index synced from a real ConsentRegistry (Hardhat's in-process network) agrees
 * with the contract: each hospital's index holds exactly its own custodian's records, records
 * equal `consentOf` at that custodian, decisions equal `isPermitted`, and spot checks find
 * nothing — until an event is deliberately dropped or corrupted, which spot checks then
 * classify. Signatures held back by a relayer are accepted only while the record is unchanged.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type Bytes32, dataCategories, purposeCodes } from "../../src/consent/index.ts";
import {
  type ConsentEventSource,
  type ConsentRegistryEventLike,
  type ConsentState,
  createConsentIndex,
  createConsentIndexSync,
  createMemoryConsentIndexStore,
  createRegistryEventSource,
  registryConsentReader,
} from "../../src/consentIndex/index.ts";
import type {
  ConsentRegistryClient,
  ConsentTerms,
  SignedConsentChange,
} from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { connectLedger, doc, expectLedgerError, ORG, subject } from "../ledger/ledgerFixture.ts";

const P = purposeCodes;
const C = dataCategories;
const env = await connectLedger();
const { accounts, ethers } = env;

const SUBJECTS = Array.from({ length: 6 }, (_, i) => subject(`sync-${i}`));
const PERMISSIONS = [P.NRES, P.GRU, P.HMB, P.DS, P.POA, P.CC].map((c) => c.bit);
const CONDITIONS = [P.NCU, P.IRB, P.NPOA, P.GS].map((c) => c.bit);
const CATEGORY_BITS = Object.values(C).map((c) => c.bit);
/** Consent times are absolute; isPermitted takes `at` as an argument, so chain time is irrelevant. */
const T0 = 1_900_000_000;

const bitsOf = (bits: readonly number[], min: number) =>
  fc.subarray([...bits], { minLength: min }).map((xs) => xs.reduce((a, b) => a | b, 0));

const termsArb: fc.Arbitrary<ConsentTerms> = fc
  .record({
    permissions: bitsOf(PERMISSIONS, 1),
    conditions: bitsOf(CONDITIONS, 0),
    categories: bitsOf(CATEGORY_BITS, 1),
    validFrom: fc.integer({ min: T0 - 1_000, max: T0 + 3_000 }),
    length: fc.option(fc.integer({ min: 1, max: 4_000 }), { nil: undefined }),
  })
  .map((t) => ({
    purposes: t.permissions | t.conditions,
    categories: t.categories,
    validFrom: t.validFrom,
    validUntil: t.length === undefined ? 0 : t.validFrom + t.length,
  }));

const idx = fc.integer({ min: 0, max: SUBJECTS.length - 1 });
const hospital = fc.integer({ min: 0, max: 1 });
const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("single" as const),
      s: idx,
      h: hospital,
      revoke: fc.boolean(),
      terms: termsArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("batchGrant" as const),
      ss: fc.uniqueArray(idx, { minLength: 1, maxLength: 4 }),
      h: hospital,
      terms: termsArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("batchRevoke" as const),
      ss: fc.uniqueArray(idx, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("signed" as const),
      s: idx,
      h: hospital,
      revoke: fc.boolean(),
      terms: termsArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("sign" as const),
      s: idx,
      h: hospital,
      revoke: fc.boolean(),
      terms: termsArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("relay" as const), k: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("invalidate" as const), s: idx, h: hospital }),
  },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const requestArb = fc.record({
  s: idx,
  permission: fc.constantFrom(...PERMISSIONS),
  conditions: bitsOf(CONDITIONS, 0),
  categories: bitsOf(CATEGORY_BITS, 1),
  at: fc.oneof(
    fc.integer({ min: T0 - 2_000, max: T0 + 8_000 }),
    fc.constantFrom("validFrom" as const, "validUntil" as const, "beforeUntil" as const),
  ),
});

type Pending =
  | SignedConsentChange<"Grant">
  | SignedConsentChange<"Update">
  | SignedConsentChange<"Revoke">;

/** One record, (custodian, subject), as the operations expect it. */
interface Model {
  status: "none" | "active" | "revoked";
  /** The record's nonce: changes of any kind so far. */
  nonce: number;
  patientKey: boolean;
  /** A patient signature held back by the relayer. */
  pending?: Pending | undefined;
}

const HOSPITALS = [ORG.hospitalA, ORG.hospitalB] as const;

async function deployStack() {
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const stack = await env.deploy();
  const recorders = [
    stack.registry(accounts.recorderA, ORG.hospitalA),
    stack.registry(accounts.recorderB, ORG.hospitalB),
  ] as const;
  const readers = [
    stack.registry(ethers.provider, ORG.hospitalA),
    stack.registry(ethers.provider, ORG.hospitalB),
  ] as const;
  const relayers = [
    stack.registry(accounts.relayer, ORG.hospitalA),
    stack.registry(accounts.relayer, ORG.hospitalB),
  ] as const;
  return { fromBlock, stack, recorders, readers, relayers };
}

type Stack = Awaited<ReturnType<typeof deployStack>>;

async function runOps(stack: Stack, ops: readonly Op[]): Promise<void> {
  const model: Model[][] = HOSPITALS.map(() =>
    SUBJECTS.map(() => ({ status: "none", nonce: 0, patientKey: false })),
  );
  const patient = accounts.patient;
  const deadline = T0 + 10 ** 6;
  let n = 0;
  const words = (s: number, terms: ConsentTerms) => ({
    subject: SUBJECTS[s] as Bytes32,
    ...terms,
    documentHash: doc(`op-${n++}`),
  });
  const recordOf = (h: number, s: number) => (model[h] as Model[])[s] as Model;
  const all = HOSPITALS.flatMap((_, h) => SUBJECTS.map((_, s) => [h as 0 | 1, s] as const));
  /** Signed operations pick among the granted records, so that they happen often. */
  const liveRecord = (h: number, s: number) => {
    const live = all.filter(([lh, ls]) => recordOf(lh, ls).status !== "none");
    return live[(h * SUBJECTS.length + s) % Math.max(1, live.length)];
  };
  /** Registers the patient key of a record once (a change: the nonce moves on). */
  const withKey = async (h: 0 | 1, s: number, m: Model) => {
    if (m.patientKey) return;
    await stack.recorders[h].setPatientKey(SUBJECTS[s] as Bytes32, patient.address);
    m.patientKey = true;
    m.nonce++;
  };
  /** The patient's signature of the change that fits the record's state now. */
  const signFor = (
    h: 0 | 1,
    s: number,
    m: Model,
    revoke: boolean,
    terms: ConsentTerms,
  ): Promise<Pending> => {
    const relayer = stack.relayers[h];
    if (m.status === "revoked") return relayer.signGrant(patient, words(s, terms), { deadline });
    if (revoke) {
      const change = { subject: SUBJECTS[s] as Bytes32, documentHash: doc(`op-${n++}`) };
      return relayer.signRevoke(patient, change, { deadline });
    }
    return relayer.signUpdate(patient, words(s, terms), { deadline });
  };
  const relay = (h: 0 | 1, signed: Pending) => {
    const relayer = stack.relayers[h];
    if (signed.primaryType === "Grant") {
      return relayer.grantBySig(signed as SignedConsentChange<"Grant">);
    }
    if (signed.primaryType === "Update") {
      return relayer.updateBySig(signed as SignedConsentChange<"Update">);
    }
    return relayer.revokeBySig(signed as SignedConsentChange<"Revoke">);
  };
  const applied = (m: Model, signed: Pending) => {
    m.status = signed.primaryType === "Revoke" ? "revoked" : "active";
    m.nonce++;
  };
  for (const op of ops) {
    if (op.kind === "single") {
      const h = op.h as 0 | 1;
      const m = recordOf(h, op.s);
      if (m.status !== "active") {
        await stack.recorders[h].grant(words(op.s, op.terms));
        m.status = "active";
      } else if (op.revoke) {
        await stack.recorders[h].revoke(SUBJECTS[op.s] as Bytes32, doc(`op-${n++}`));
        m.status = "revoked";
      } else {
        await stack.recorders[h].update(words(op.s, op.terms));
      }
      m.nonce++;
    } else if (op.kind === "batchGrant") {
      const h = op.h as 0 | 1;
      const fresh = op.ss.filter((s) => recordOf(h, s).status === "none");
      if (fresh.length === 0) continue;
      const result = await stack.recorders[h].batchGrant(
        fresh.map((s) => ({ subject: SUBJECTS[s] as Bytes32, documentHash: doc(`op-${n++}`) })),
        op.terms,
        { maxChunkSize: 2 },
      );
      expect(result.failed).toEqual([]);
      for (const s of fresh) Object.assign(recordOf(h, s), { status: "active", nonce: 1 });
    } else if (op.kind === "batchRevoke") {
      for (const h of [0, 1] as const) {
        const active = op.ss.filter((s) => recordOf(h, s).status === "active");
        if (active.length === 0) continue;
        const result = await stack.recorders[h].batchRevoke(
          active.map((s) => ({ subject: SUBJECTS[s] as Bytes32, documentHash: doc(`op-${n++}`) })),
        );
        expect(result.failed).toEqual([]);
        for (const s of active) {
          recordOf(h, s).status = "revoked";
          recordOf(h, s).nonce++;
        }
      }
    } else if (op.kind === "signed" || op.kind === "sign") {
      const picked = liveRecord(op.h, op.s);
      if (picked === undefined) continue;
      const [h, s] = picked;
      const m = recordOf(h, s);
      await withKey(h, s, m);
      const signed = await signFor(h, s, m, op.revoke, op.terms);
      expect(signed.message.nonce).toBe(m.nonce);
      if (op.kind === "sign") {
        m.pending = signed;
        continue;
      }
      await relay(h, signed);
      applied(m, signed);
    } else if (op.kind === "relay") {
      const waiting = all.filter(([h, s]) => recordOf(h, s).pending !== undefined);
      const picked = waiting[op.k % Math.max(1, waiting.length)];
      if (picked === undefined) continue;
      const [h, s] = picked;
      const m = recordOf(h, s);
      const signed = m.pending as Pending;
      m.pending = undefined;
      if (signed.message.nonce === m.nonce) {
        await relay(h, signed);
        applied(m, signed);
      } else {
        // The record changed since the patient signed: the signature is stale for good.
        await expectLedgerError(relay(h, signed), "SIGNATURE_STALE", {
          error: "ConsentRegistryStaleSignature",
        });
      }
    } else {
      const picked = liveRecord(op.h, op.s);
      if (picked === undefined) continue;
      const [h, s] = picked;
      await stack.recorders[h].invalidateSignatures(SUBJECTS[s] as Bytes32);
      recordOf(h, s).nonce++;
    }
  }
  for (const h of [0, 1] as const) {
    for (const [s, m] of (model[h] as Model[]).entries()) {
      expect(await stack.readers[h].nonceOf(SUBJECTS[s] as Bytes32)).toBe(m.nonce);
    }
  }
}

/** Park–Miller generator: a replayable `random` for spot-check sampling. */
function seededRandom(seed: number): () => number {
  let state = (seed % 2_147_483_646) + 1;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return (state - 1) / 2_147_483_646;
  };
}

/** The event source of one custodian's records (small pages to cross their boundaries). */
function custodianSource(reader: ConsentRegistryClient): ConsentEventSource {
  return createRegistryEventSource({
    client: reader,
    provider: ethers.provider,
    subscribe: false,
    pageSize: 3,
  });
}

/** Syncs a fresh index from hospital A's records (or from `source`). */
async function syncIndex(stack: Stack, source?: ConsentEventSource) {
  const index = createConsentIndex({ now: () => T0 });
  const sync = createConsentIndexSync({
    index,
    source: source ?? custodianSource(stack.readers[0]),
    fromBlock: stack.fromBlock,
    now: () => T0,
    rangeSize: 4,
  });
  await sync.syncOnce();
  return { index, sync };
}

/** A source over the real registry whose events pass through `edit` (drop with undefined). */
function editedSource(
  stack: Stack,
  edit: (event: ConsentRegistryEventLike) => ConsentRegistryEventLike | undefined,
  extra: readonly ConsentRegistryEventLike[] = [],
): ConsentEventSource {
  const real = createRegistryEventSource({
    client: stack.readers[0],
    provider: ethers.provider,
    subscribe: false,
  });
  return {
    headBlock: (signal) => real.headBlock(signal),
    async *events(range) {
      for await (const event of real.events(range)) {
        const edited = edit(event);
        if (edited !== undefined) yield edited;
      }
      for (const event of extra) {
        if (event.blockNumber >= range.fromBlock && event.blockNumber <= range.toBlock) yield event;
      }
    },
  };
}

describe("consent index synced from ConsentRegistry events", () => {
  it("each custodian's index equals its consentOf and agrees with isPermitted (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 4, maxLength: 24 }),
        fc.array(requestArb, { minLength: 8, maxLength: 8 }),
        async (ops, requests) => {
          const stack = await deployStack();
          await runOps(stack, ops);
          for (const h of [0, 1] as const) {
            const reader = stack.readers[h];
            const { index, sync } = await syncIndex(stack, custodianSource(reader));
            expect(sync.status().gaps).toBe(0);
            const read = registryConsentReader(reader);
            for (const s of SUBJECTS) {
              const onChain = await read(s as `0x${string}`);
              const indexed = index.getRecord(s);
              if (onChain.status === "none") expect(indexed).toBeUndefined();
              else expect(indexed).toEqual({ ...onChain, custodian: HOSPITALS[h] });
            }
            for (const r of requests) {
              const s = SUBJECTS[r.s] as Bytes32;
              const rec: ConsentState | undefined = index.getRecord(s);
              const at =
                typeof r.at === "number"
                  ? r.at
                  : r.at === "validFrom"
                    ? (rec?.validFrom ?? T0)
                    : r.at === "validUntil"
                      ? rec?.validUntil || T0
                      : Math.max(0, (rec?.validUntil || T0) - 1);
              const use = r.permission | r.conditions;
              const expected = await reader.isPermitted(s, use, r.categories, at);
              expect(
                index.checkAccess({ subject: s, use, categories: r.categories, at }).allowed,
              ).toBe(expected);
            }
            const report = await index.spotCheck(
              { size: 3, random: seededRandom(ops.length), subjects: SUBJECTS },
              read,
            );
            expect(report.mismatches).toEqual([]);
          }
        },
      ),
      { seed: 424242, numRuns: 40, endOnFailure: true },
    );
  });

  it("ignores another custodian's events for the same pseudonym", async () => {
    const stack = await deployStack();
    const [A, B] = stack.recorders;
    const s = subject("shared");
    const onlyB = subject("only-b");
    const base = { purposes: P.HMB.bit, validFrom: T0 - 10, validUntil: 0 };
    await A.grant({ subject: s, ...base, categories: C.DRUGS.bit, documentHash: doc("a1") });
    // Hospital B records its own patient under the same pseudonym, changes and revokes it.
    await B.grant({ subject: s, ...base, categories: C.GENOMICS.bit, documentHash: doc("b1") });
    await B.update({ subject: s, ...base, categories: C.IMAGING.bit, documentHash: doc("b2") });
    await B.revoke(s, doc("b3"));
    await B.grant({ subject: onlyB, ...base, categories: C.DRUGS.bit, documentHash: doc("b4") });
    const request = { subject: s, use: P.HMB.bit, categories: C.DRUGS.bit, at: T0 };
    const expectAOnly = (index: Awaited<ReturnType<typeof syncIndex>>["index"]) => {
      expect(index.getRecord(s)).toEqual({
        status: "active",
        ...base,
        categories: C.DRUGS.bit,
        version: 1,
        custodian: ORG.hospitalA,
      });
      expect(index.getRecord(onlyB)).toBeUndefined();
      expect(index.checkAccess(request).allowed).toBe(true);
    };

    // Through A's custodian-scoped client.
    const scoped = await syncIndex(stack);
    expectAOnly(scoped.index);
    expect(scoped.sync.status().gaps).toBe(0);

    // Even a source that also yields B's events (as a node ignoring the log filter would)
    // cannot mix them in: the source names its custodian and the sync skips the others.
    const a = custodianSource(stack.readers[0]);
    const b = custodianSource(stack.readers[1]);
    const unfiltered: ConsentEventSource = {
      custodian: ORG.hospitalA,
      headBlock: (signal) => a.headBlock(signal),
      async *events(range) {
        const all: ConsentRegistryEventLike[] = [];
        for await (const event of a.events(range)) all.push(event);
        for await (const event of b.events(range)) all.push(event);
        yield* all.sort((x, y) => x.blockNumber - y.blockNumber || x.logIndex - y.logIndex);
      },
    };
    const guarded = await syncIndex(stack, unfiltered);
    expectAOnly(guarded.index);
    expect(guarded.sync.status().gaps).toBe(0);

    // A's spot check reads A's records and finds nothing amiss.
    const report = await scoped.index.spotCheck(
      { size: 0, random: () => 0, subjects: [s, onlyB] },
      registryConsentReader(stack.readers[0]),
    );
    expect(report).toEqual({ checked: 2, matched: 2, mismatches: [] });

    // A store written for custodian A is never resumed for custodian B.
    const store = createMemoryConsentIndexStore();
    const first = createConsentIndexSync({
      index: createConsentIndex({ now: () => T0 }),
      source: a,
      store,
      fromBlock: stack.fromBlock,
      now: () => T0,
    });
    await first.syncOnce();
    expect((await store.readPosition())?.scope).toBe(
      `31337:${stack.stack.addresses.registry.toLowerCase()}:${ORG.hospitalA}`,
    );
    const other = createConsentIndexSync({
      index: createConsentIndex({ now: () => T0 }),
      source: b,
      store,
      fromBlock: stack.fromBlock,
      now: () => T0,
    });
    const mismatch = await expectCustosError(other.syncOnce(), "CONSENT_INDEX_STORE_MISMATCH");
    expect(mismatch.details).toMatchObject({ problem: "scope" });
  });

  describe("spot checks find deliberately broken syncs", () => {
    let stack: Stack;
    const [a, b, c, d] = SUBJECTS as [Bytes32, Bytes32, Bytes32, Bytes32];
    const terms = {
      purposes: P.HMB.bit,
      categories: C.DRUGS.bit,
      validFrom: T0 - 10,
      validUntil: 0,
    };
    beforeAll(async () => {
      stack = await deployStack();
      const [A] = stack.recorders;
      await A.grant({ subject: a, ...terms, documentHash: doc("a1") });
      await A.update({
        subject: a,
        ...terms,
        categories: C.DRUGS.bit | C.CONDITIONS.bit,
        documentHash: doc("a2"),
      });
      await A.grant({ subject: b, ...terms, documentHash: doc("b1") });
      await A.grant({ subject: c, ...terms, documentHash: doc("c1") });
      await A.revoke(c, doc("c2"));
    });
    const sample = (subjects: readonly Bytes32[]) => ({ size: 0, random: () => 0, subjects });
    const versionOf = (e: ConsentRegistryEventLike) => e.args.version as number;

    it("reports nothing for a faithful sync", async () => {
      const { index } = await syncIndex(stack);
      const report = await index.spotCheck(
        sample([a, b, c, d]),
        registryConsentReader(stack.readers[0]),
      );
      expect(report).toEqual({ checked: 4, matched: 4, mismatches: [] });
    });

    it("INDEX_BEHIND when the last update is skipped", async () => {
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) => (e.args.subject === a && versionOf(e) === 2 ? undefined : e)),
      );
      const report = await index.spotCheck(sample([a, b]), registryConsentReader(stack.readers[0]));
      expect(report.mismatches.map((m) => [m.subject, m.kind])).toEqual([[a, "INDEX_BEHIND"]]);
    });

    it("MISSING_IN_INDEX when a subject's only event is skipped", async () => {
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) => (e.args.subject === b ? undefined : e)),
      );
      const report = await index.spotCheck(sample([a, b]), registryConsentReader(stack.readers[0]));
      expect(report.mismatches.map((m) => [m.subject, m.kind])).toEqual([[b, "MISSING_IN_INDEX"]]);
    });

    it("DIVERGED with the field when an event's terms are corrupted", async () => {
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) =>
          e.args.subject === b ? { ...e, args: { ...e.args, purposes: P.GRU.bit } } : e,
        ),
      );
      const report = await index.spotCheck(
        sample([a, b, c]),
        registryConsentReader(stack.readers[0]),
      );
      expect(report.mismatches.map((m) => [m.subject, m.kind, m.fields])).toEqual([
        [b, "DIVERGED", ["purposes"]],
      ]);
    });

    it("DIVERGED after a revocation whose grant was skipped (gap reported), still denying", async () => {
      const { index, sync } = await syncIndex(
        stack,
        editedSource(stack, (e) => (e.args.subject === c && versionOf(e) === 1 ? undefined : e)),
      );
      expect(sync.status().gaps).toBe(1);
      expect(
        index.checkAccess({ subject: c, use: P.HMB.bit, categories: C.DRUGS.bit, at: T0 }).reason,
      ).toBe("REVOKED");
      const report = await index.spotCheck(sample([c]), registryConsentReader(stack.readers[0]));
      expect(report.mismatches.map((m) => [m.kind, m.fields])).toEqual([
        ["DIVERGED", ["purposes", "categories", "validFrom"]],
      ]);
    });

    it("MISSING_ON_CHAIN and INDEX_AHEAD for events the chain never emitted", async () => {
      const head = await ethers.provider.getBlockNumber();
      const forged = (s: Bytes32, version: number): ConsentRegistryEventLike => ({
        name: "ConsentGranted",
        args: { subject: s, custodian: 1, version, ...terms },
        blockNumber: head,
        logIndex: 99,
      });
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) => e, [forged(d, 1), forged(b, 5)]),
      );
      const report = await index.spotCheck(sample([b, d]), registryConsentReader(stack.readers[0]));
      expect(report.mismatches.map((m) => [m.subject, m.kind])).toEqual([
        [b, "INDEX_AHEAD"],
        [d, "MISSING_ON_CHAIN"],
      ]);
    });
  });

  it("follows the chain live by polling after the initial sync", async () => {
    const stack = await deployStack();
    const s = subject("live");
    const index = createConsentIndex({ now: () => T0 });
    const sync = createConsentIndexSync({
      index,
      source: createRegistryEventSource({
        client: stack.readers[1],
        provider: ethers.provider,
        subscribe: false,
      }),
      fromBlock: stack.fromBlock,
      now: () => T0,
      pollIntervalMs: 20,
    });
    sync.start();
    await sync.whenCaughtUp();
    expect(index.getRecord(s)).toBeUndefined();
    await stack.recorders[1].grant({
      subject: s,
      purposes: P.GRU.bit,
      categories: C.GENOMICS.bit,
      validFrom: 0,
      validUntil: 0,
      documentHash: doc("live"),
    });
    await vi.waitFor(
      () => expect(index.getRecord(s)).toMatchObject({ status: "active", custodian: 2 }),
      { timeout: 20_000, interval: 20 },
    );
    await sync.stop();
    expect(sync.status().state).toBe("stopped");
  });
});
