/**
 * The consent index synced from a real ConsentRegistry (Hardhat's in-process network) agrees
 * with the contract: records equal `consentOf`, decisions equal `isPermitted`, and spot
 * checks find nothing — until an event is deliberately dropped or corrupted, which spot
 * checks then classify.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  type Bytes32,
  type ConsentEventSource,
  type ConsentRegistryEventLike,
  type ConsentState,
  createConsentIndex,
  createConsentIndexSync,
  createRegistryEventSource,
  dataCategories,
  purposeCodes,
  type ReadConsentState,
} from "../../src/consent/index.ts";
import type { ConsentRegistryClient, ConsentTerms } from "../../src/ledger/index.ts";
import { connectLedger, doc, subject } from "../ledger/ledgerFixture.ts";

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
      revoke: fc.boolean(),
      terms: termsArb,
    }),
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

interface Model {
  status: "none" | "active" | "revoked";
  custodian: 0 | 1;
  patientKey: boolean;
}

async function deployStack() {
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const stack = await env.deploy();
  const recorders = [
    stack.registry(accounts.hospitalA),
    stack.registry(accounts.hospitalB),
  ] as const;
  const reader = stack.registry(ethers.provider);
  const relayer = stack.registry(accounts.relayer);
  return { fromBlock, stack, recorders, reader, relayer };
}

type Stack = Awaited<ReturnType<typeof deployStack>>;

async function runOps(stack: Stack, ops: readonly Op[]): Promise<void> {
  const model: Model[] = SUBJECTS.map(() => ({ status: "none", custodian: 0, patientKey: false }));
  const patient = accounts.patient;
  const deadline = T0 + 10 ** 6;
  let n = 0;
  const words = (s: number, terms: ConsentTerms) => ({
    subject: SUBJECTS[s] as Bytes32,
    ...terms,
    documentHash: doc(`op-${n++}`),
  });
  for (const op of ops) {
    if (op.kind === "single") {
      const m = model[op.s] as Model;
      if (m.status === "none") {
        await stack.recorders[op.h as 0 | 1].grant(words(op.s, op.terms));
        m.custodian = op.h as 0 | 1;
        m.status = "active";
      } else if (m.status === "revoked") {
        await stack.recorders[m.custodian].grant(words(op.s, op.terms));
        m.status = "active";
      } else if (op.revoke) {
        await stack.recorders[m.custodian].revoke(SUBJECTS[op.s] as Bytes32, doc(`op-${n++}`));
        m.status = "revoked";
      } else {
        await stack.recorders[m.custodian].update(words(op.s, op.terms));
      }
    } else if (op.kind === "batchGrant") {
      const fresh = op.ss.filter((s) => model[s]?.status === "none");
      if (fresh.length === 0) continue;
      const result = await stack.recorders[op.h as 0 | 1].batchGrant(
        fresh.map((s) => ({ subject: SUBJECTS[s] as Bytes32, documentHash: doc(`op-${n++}`) })),
        op.terms,
        { maxChunkSize: 2 },
      );
      expect(result.failed).toEqual([]);
      for (const s of fresh)
        Object.assign(model[s] as Model, { status: "active", custodian: op.h });
    } else if (op.kind === "batchRevoke") {
      for (const custodian of [0, 1] as const) {
        const active = op.ss.filter(
          (s) => model[s]?.status === "active" && model[s]?.custodian === custodian,
        );
        if (active.length === 0) continue;
        const result = await stack.recorders[custodian].batchRevoke(
          active.map((s) => ({ subject: SUBJECTS[s] as Bytes32, documentHash: doc(`op-${n++}`) })),
        );
        expect(result.failed).toEqual([]);
        for (const s of active) (model[s] as Model).status = "revoked";
      }
    } else {
      const m = model[op.s] as Model;
      if (m.status === "none") continue;
      const s = SUBJECTS[op.s] as Bytes32;
      if (!m.patientKey) {
        await stack.recorders[m.custodian].setPatientKey(s, patient.address);
        m.patientKey = true;
      }
      if (m.status === "revoked") {
        await stack.relayer.grantBySig(
          await stack.relayer.signGrant(patient, words(op.s, op.terms), { deadline }),
        );
        m.status = "active";
      } else if (op.revoke) {
        await stack.relayer.revokeBySig(
          await stack.relayer.signRevoke(
            patient,
            { subject: s, documentHash: doc(`op-${n++}`) },
            { deadline },
          ),
        );
        m.status = "revoked";
      } else {
        await stack.relayer.updateBySig(
          await stack.relayer.signUpdate(patient, words(op.s, op.terms), { deadline }),
        );
      }
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

function readContract(reader: ConsentRegistryClient): ReadConsentState {
  return async (s) => {
    const c = await reader.consentOf(s as Bytes32);
    return {
      status: c.status,
      purposes: c.purposes,
      categories: c.categories,
      validFrom: c.validFrom,
      validUntil: c.validUntil,
      version: c.version,
      custodian: c.custodian,
    };
  };
}

async function syncIndex(stack: Stack, source?: ConsentEventSource) {
  const index = createConsentIndex({ now: () => T0 });
  const sync = createConsentIndexSync({
    index,
    source:
      source ??
      createRegistryEventSource({
        client: stack.reader,
        provider: ethers.provider,
        subscribe: false,
        pageSize: 3,
      }),
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
    client: stack.reader,
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
  it("equals consentOf for every subject and agrees with isPermitted (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 16 }),
        fc.array(requestArb, { minLength: 8, maxLength: 8 }),
        async (ops, requests) => {
          const stack = await deployStack();
          await runOps(stack, ops);
          const { index, sync } = await syncIndex(stack);
          expect(sync.status().gaps).toBe(0);
          const read = readContract(stack.reader);
          for (const s of SUBJECTS) {
            const onChain = await read(s as `0x${string}`);
            const indexed = index.getRecord(s);
            if (onChain.status === "none") expect(indexed).toBeUndefined();
            else expect(indexed).toEqual(onChain);
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
            const expected = await stack.reader.isPermitted(s, use, r.categories, at);
            expect(
              index.checkAccess({ subject: s, use, categories: r.categories, at }).allowed,
            ).toBe(expected);
          }
          const report = await index.spotCheck(
            { size: 3, random: seededRandom(ops.length), subjects: SUBJECTS },
            read,
          );
          expect(report.mismatches).toEqual([]);
        },
      ),
      { seed: 424242, numRuns: 40, endOnFailure: true },
    );
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
      const report = await index.spotCheck(sample([a, b, c, d]), readContract(stack.reader));
      expect(report).toEqual({ checked: 4, matched: 4, mismatches: [] });
    });

    it("INDEX_BEHIND when the last update is skipped", async () => {
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) => (e.args.subject === a && versionOf(e) === 2 ? undefined : e)),
      );
      const report = await index.spotCheck(sample([a, b]), readContract(stack.reader));
      expect(report.mismatches.map((m) => [m.subject, m.kind])).toEqual([[a, "INDEX_BEHIND"]]);
    });

    it("MISSING_IN_INDEX when a subject's only event is skipped", async () => {
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) => (e.args.subject === b ? undefined : e)),
      );
      const report = await index.spotCheck(sample([a, b]), readContract(stack.reader));
      expect(report.mismatches.map((m) => [m.subject, m.kind])).toEqual([[b, "MISSING_IN_INDEX"]]);
    });

    it("DIVERGED with the field when an event's terms are corrupted", async () => {
      const { index } = await syncIndex(
        stack,
        editedSource(stack, (e) =>
          e.args.subject === b ? { ...e, args: { ...e.args, purposes: P.GRU.bit } } : e,
        ),
      );
      const report = await index.spotCheck(sample([a, b, c]), readContract(stack.reader));
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
      const report = await index.spotCheck(sample([c]), readContract(stack.reader));
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
      const report = await index.spotCheck(sample([b, d]), readContract(stack.reader));
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
        client: stack.reader,
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
