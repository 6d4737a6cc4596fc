import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  coversCategories,
  dataCategories,
  permitsUse,
  purposeCodes,
} from "../../src/consent/index.ts";
import {
  type AccessRequest,
  buildCohortTree,
  type ConsentChange,
  type ConsentState,
  createConsentIndex,
  type DenyReason,
  verifyInclusion,
} from "../../src/consentIndex/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { expectedCohortDecisions } from "./cohort/cohortFixtures.ts";

const P = purposeCodes;
const C = dataCategories;
const T0 = 1_800_000_000;
const SEED = 20261123;

const hexOf = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;
const subjectArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hexOf);

function change(
  subject: string,
  version: number,
  over: Partial<ConsentChange> = {},
): ConsentChange {
  return {
    subject,
    version,
    status: "active",
    purposes: P.HMB.bit,
    categories: C.DRUGS.bit | C.CONDITIONS.bit,
    validFrom: T0 - 1000,
    validUntil: 0,
    custodian: 1,
    blockNumber: version,
    logIndex: 0,
    ...over,
  };
}

function syncedIndex(clock = { t: T0 }) {
  const index = createConsentIndex({ now: () => clock.t, maxStalenessSeconds: 30 });
  index.markSynced(1, clock.t);
  return index;
}

const A = `0x${"ab".repeat(32)}`;
const B = `0x${"cd".repeat(32)}`;

/** The contract's isPermitted with the index's reason order, over a Map of latest records. */
function referenceReason(
  model: Map<string, ConsentChange>,
  request: AccessRequest,
  at: number,
): "PERMITTED" | DenyReason {
  const rec = model.get((request.subject as string).toLowerCase());
  if (rec === undefined) return "UNKNOWN_SUBJECT";
  if (rec.status === "revoked") return "REVOKED";
  if (at < rec.validFrom) return "NOT_YET_VALID";
  if (rec.validUntil !== 0 && at >= rec.validUntil) return "EXPIRED";
  if (!permitsUse(rec.purposes, request.use)) return "PURPOSE_NOT_PERMITTED";
  if (!coversCategories(rec.categories, request.categories)) return "CATEGORY_NOT_PERMITTED";
  return "PERMITTED";
}

const useArb = fc.constantFrom(
  P.GRU.bit,
  P.HMB.bit,
  P.DS.bit,
  P.DS.bit | P.NCU.bit,
  P.POA.bit,
  P.CC.bit | P.IRB.bit,
  P.HMB.bit | P.NCU.bit | P.IRB.bit,
);
const purposesArb = fc.constantFrom(
  P.NRES.bit,
  P.GRU.bit,
  P.HMB.bit,
  P.HMB.bit | P.NCU.bit,
  P.DS.bit,
  P.POA.bit,
  P.CC.bit | P.IRB.bit,
  P.GRU.bit | P.NPOA.bit,
);
const categoriesArb = fc.integer({ min: 1, max: 0x3fff });

describe("createConsentIndex: apply", () => {
  it("ignores versions at or below the stored one and tracks the highest position", () => {
    const index = syncedIndex();
    expect(index.apply(change(A, 2, { blockNumber: 7, logIndex: 3 }))).toBe("applied");
    expect(index.apply(change(A, 2, { status: "revoked", blockNumber: 5 }))).toBe("ignored");
    expect(index.apply(change(A, 1, { status: "revoked", blockNumber: 9, logIndex: 1 }))).toBe(
      "ignored",
    );
    expect(index.getRecord(A)?.status).toBe("active");
    expect(index.syncState().lastApplied).toEqual({ blockNumber: 9, logIndex: 1 });
    expect(index.applyMany([change(A, 3), change(B, 1), change(A, 3)])).toEqual({
      applied: 2,
      ignored: 1,
    });
    expect(index.size).toBe(2);
  });

  it("keeps every subject across table growth from the smallest size", () => {
    const index = createConsentIndex({ now: () => T0, expectedSubjects: 0 });
    index.markSynced(1, T0);
    const subjects = Array.from(
      { length: 5000 },
      (_, i) => `0x${(i * 2654435761).toString(16).padStart(64, "7")}`,
    );
    index.applyMany(
      subjects.map((s, i) =>
        change(s, 1 + (i % 3), { status: i % 4 === 0 ? "revoked" : "active" }),
      ),
    );
    expect(index.size).toBe(5000);
    expect(index.stats().capacity).toBeGreaterThanOrEqual(5000);
    subjects.forEach((subject, i) => {
      expect(index.getRecord(subject)?.version).toBe(1 + (i % 3));
      expect(index.checkAccess({ subject, use: P.HMB.bit, categories: C.DRUGS.bit }).reason).toBe(
        i % 4 === 0 ? "REVOKED" : "PERMITTED",
      );
    });
  });

  it("stores every field exactly, including 48-bit timestamps", () => {
    const index = syncedIndex();
    const c = change(A, 9, {
      purposes: 0xffffffff,
      categories: 0x80000001,
      validFrom: 2 ** 40 + 5,
      validUntil: 2 ** 48 - 1,
      custodian: 0xfffffffe,
      status: "revoked",
    });
    index.apply(c);
    expect(index.getRecord(A)).toEqual<ConsentState>({
      status: "revoked",
      purposes: 0xffffffff,
      categories: 0x80000001,
      validFrom: 2 ** 40 + 5,
      validUntil: 2 ** 48 - 1,
      version: 9,
      custodian: 0xfffffffe,
    });
    expect(index.getRecord(new Uint8Array(32).fill(0xab))?.version).toBe(9);
    expect(index.getRecord(B)).toBeUndefined();
    expect(expectCustosError(() => index.getRecord("0x12"), "INVALID_ARGUMENT").details).toEqual({
      field: "subject",
    });
  });

  it("rejects malformed changes with the field and batch position", () => {
    const index = syncedIndex();
    const bad: [Partial<ConsentChange> | null, string][] = [
      [{ subject: "0x1234" }, "subject"],
      [{ subject: `0x${"zz".repeat(32)}` }, "subject"],
      [{ version: 0 }, "version"],
      [{ version: 1.5 }, "version"],
      [{ status: "none" as "active" }, "status"],
      [{ purposes: -1 }, "purposes"],
      [{ categories: 2 ** 32 }, "categories"],
      [{ validFrom: 2 ** 48 }, "validFrom"],
      [{ validUntil: Number.NaN }, "validUntil"],
      [{ custodian: 0.5 }, "custodian"],
      [{ blockNumber: -1 }, "blockNumber"],
      [{ logIndex: 2 ** 53 }, "logIndex"],
    ];
    for (const [over, field] of bad) {
      const error = expectCustosError(
        () => index.applyMany([change(B, 1), { ...change(A, 1), ...over }]),
        "CONSENT_CHANGE_INVALID",
      );
      expect(error.details).toEqual({ field, position: 1 });
    }
    const notObject = expectCustosError(
      () => index.apply(null as unknown as ConsentChange),
      "CONSENT_CHANGE_INVALID",
    );
    expect(notObject.details).toEqual({ field: "change" });
    expect(index.getRecord(A)).toBeUndefined();
  });

  it("lets the newest version win under any delivery order (revoke wins)", () => {
    fc.assert(
      fc.property(
        subjectArb,
        fc.array(fc.record({ revoke: fc.boolean(), purposes: purposesArb }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
        (subject, versions, shuffleKeys) => {
          versions[versions.length - 1] = { revoke: true, purposes: P.NRES.bit };
          const changes = versions.map((v, i) =>
            change(subject, i + 1, {
              status: v.revoke ? "revoked" : "active",
              purposes: v.purposes,
            }),
          );
          const order = changes
            .map((c, i) => ({ c, k: shuffleKeys[i] as number }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.c);
          const index = syncedIndex();
          index.applyMany([...order, ...order]);
          const decision = index.checkAccess({ subject, use: P.GRU.bit, categories: C.DRUGS.bit });
          expect(decision).toEqual({ allowed: false, reason: "REVOKED" });
          expect(index.getRecord(subject)?.version).toBe(versions.length);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("createConsentIndex: checkAccess", () => {
  it("agrees with a reference model after a shuffled, replayed change log", () => {
    const changeArb = fc.record({
      subject: fc.constantFrom(A, B, `0x${"01".repeat(32)}`, `0x${"EF".repeat(32)}`),
      version: fc.integer({ min: 1, max: 6 }),
      revoke: fc.boolean(),
      purposes: purposesArb,
      categories: categoriesArb,
      validFrom: fc.integer({ min: T0 - 50, max: T0 + 50 }),
      validUntil: fc.oneof(fc.constant(0), fc.integer({ min: T0 - 50, max: T0 + 100 })),
    });
    const requestArb = fc.record({
      subject: fc.constantFrom(
        A,
        B,
        `0x${"01".repeat(32)}`,
        `0x${"ef".repeat(32)}`,
        `0x${"77".repeat(32)}`,
      ),
      use: useArb,
      categories: categoriesArb,
      at: fc.integer({ min: T0 - 60, max: T0 + 110 }),
    });
    fc.assert(
      fc.property(
        fc.array(changeArb, { maxLength: 40 }),
        fc.array(requestArb, { minLength: 1, maxLength: 20 }),
        (log, requests) => {
          // Versions are unique per subject on chain: keep the first change of each version.
          const seen = new Set<string>();
          const changes = log
            .filter((c) => {
              const id = `${c.subject.toLowerCase()}/${c.version}`;
              if (seen.has(id)) return false;
              seen.add(id);
              return true;
            })
            .map((c) =>
              change(c.subject, c.version, {
                status: c.revoke ? "revoked" : "active",
                purposes: c.purposes,
                categories: c.categories,
                validFrom: c.validFrom,
                validUntil: c.validUntil,
              }),
            );
          const model = new Map<string, ConsentChange>();
          for (const c of changes) {
            const key = (c.subject as string).toLowerCase();
            const prev = model.get(key);
            if (prev === undefined || prev.version < c.version) model.set(key, c);
          }
          const index = syncedIndex();
          index.applyMany([...changes, ...changes.slice(0, 5)]);
          for (const request of requests) {
            const expected = referenceReason(model, request, request.at as number);
            const decision = index.checkAccess(request);
            expect(decision.reason).toBe(expected);
            expect(decision.allowed).toBe(expected === "PERMITTED");
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("denies before validFrom and from validUntil on, open-ended when validUntil is 0", () => {
    const index = syncedIndex();
    index.apply(change(A, 1, { validFrom: T0 - 10, validUntil: T0 + 10 }));
    index.apply(change(B, 1, { validFrom: T0 - 10, validUntil: 0 }));
    const ask = (subject: string, at?: number) =>
      index.checkAccess({
        subject,
        use: P.DS.bit,
        categories: C.DRUGS.bit,
        ...(at === undefined ? {} : { at }),
      }).reason;
    expect(ask(A, T0 - 11)).toBe("NOT_YET_VALID");
    expect(ask(A, T0 - 10)).toBe("PERMITTED");
    expect(ask(A, T0 + 9)).toBe("PERMITTED");
    expect(ask(A, T0 + 10)).toBe("EXPIRED");
    expect(ask(A)).toBe("PERMITTED");
    expect(ask(B, 2 ** 48 - 1)).toBe("PERMITTED");
    expect(ask(B, T0 - 11)).toBe("NOT_YET_VALID");
  });

  it("defaults `at` to the injected clock", () => {
    const clock = { t: T0 };
    const index = syncedIndex(clock);
    index.apply(change(A, 1, { validFrom: T0 - 10, validUntil: T0 + 10 }));
    const request = { subject: A, use: P.HMB.bit, categories: C.DRUGS.bit };
    expect(index.checkAccess(request).reason).toBe("PERMITTED");
    clock.t = T0 + 10.5;
    index.markSynced(2, clock.t);
    expect(index.checkAccess(request).reason).toBe("EXPIRED");
  });

  it("denies at once after markUnsynced, until the next markSynced", () => {
    const clock = { t: T0 };
    const index = createConsentIndex({ now: () => clock.t, maxStalenessSeconds: 30 });
    index.apply(change(A, 1));
    const request = { subject: A, use: P.HMB.bit, categories: C.DRUGS.bit };
    index.markUnsynced();
    // Never synced stays the more specific reason.
    expect(index.checkAccess(request).reason).toBe("INDEX_NOT_SYNCED");
    index.markSynced(4, T0);
    expect(index.checkAccess(request).reason).toBe("PERMITTED");
    index.markUnsynced();
    expect(index.syncState()).toMatchObject({ syncedBlock: 4, syncedAt: T0, syncFailed: true });
    expect(index.checkAccess(request)).toEqual({ allowed: false, reason: "INDEX_SYNC_FAILED" });
    expect(expectCustosError(() => index.assertAccess(request), "CONSENT_DENIED").details).toEqual({
      reason: "INDEX_SYNC_FAILED",
    });
    const cohort = index.filterCohort([A, B, "bad"], { use: P.HMB.bit, categories: C.DRUGS.bit });
    expect(cohort.allowedCount).toBe(0);
    expect(cohort.deniedByReason).toMatchObject({ INDEX_SYNC_FAILED: 2, INVALID_REQUEST: 1 });
    // A failed sync outranks staleness: the data may miss events however recent the mark.
    clock.t = T0 + 31;
    expect(index.checkAccess(request).reason).toBe("INDEX_SYNC_FAILED");
    index.markSynced(5, clock.t);
    expect(index.syncState().syncFailed).toBe(false);
    expect(index.checkAccess(request).reason).toBe("PERMITTED");
  });

  it("fails closed before the first sync and once the sync is stale", () => {
    const clock = { t: T0 };
    const index = createConsentIndex({ now: () => clock.t, maxStalenessSeconds: 30 });
    index.apply(change(A, 1));
    const request = { subject: A, use: P.HMB.bit, categories: C.DRUGS.bit };
    expect(index.checkAccess(request)).toEqual({ allowed: false, reason: "INDEX_NOT_SYNCED" });
    index.markSynced(4, T0);
    expect(index.checkAccess(request)).toEqual({ allowed: true, reason: "PERMITTED" });
    clock.t = T0 + 30;
    expect(index.checkAccess(request).reason).toBe("PERMITTED");
    clock.t = T0 + 31;
    expect(index.checkAccess(request)).toEqual({ allowed: false, reason: "INDEX_STALE" });
    index.markSynced(4, clock.t);
    expect(index.checkAccess(request).reason).toBe("PERMITTED");
    expect(index.syncState()).toEqual({
      lastApplied: { blockNumber: 1, logIndex: 0 },
      syncedBlock: 4,
      syncedAt: T0 + 31,
      syncFailed: false,
    });
    expectCustosError(() => index.markSynced(3, clock.t), "CONSENT_SYNC_REGRESSION");
    expectCustosError(() => index.markSynced(-1, clock.t), "INVALID_ARGUMENT");
    expectCustosError(() => index.markSynced(5, Number.NaN), "INVALID_ARGUMENT");
  });

  it("returns INVALID_REQUEST for malformed requests instead of throwing", () => {
    const index = syncedIndex();
    index.apply(change(A, 1));
    const ok = { subject: A, use: P.HMB.bit, categories: C.DRUGS.bit };
    const malformed: unknown[] = [
      null,
      "x",
      { ...ok, subject: A.slice(0, 64) },
      { ...ok, subject: `${A}00` },
      { ...ok, subject: `0x${"g".repeat(64)}` },
      { ...ok, subject: `0x${"é".repeat(64)}` },
      { ...ok, subject: new Uint8Array(31) },
      { ...ok, subject: 42 },
      { ...ok, use: 0 },
      { ...ok, use: P.HMB.bit | P.DS.bit },
      { ...ok, use: P.NCU.bit },
      { ...ok, use: P.HMB.bit | (1 << 30) },
      { ...ok, use: -1 },
      { ...ok, use: "4" },
      { ...ok, categories: 0 },
      { ...ok, categories: 1 << 20 },
      { ...ok, categories: 1.5 },
      { ...ok, at: -1 },
      { ...ok, at: 1.5 },
      { ...ok, at: 2 ** 48 },
    ];
    for (const request of malformed) {
      expect(index.checkAccess(request as AccessRequest)).toEqual({
        allowed: false,
        reason: "INVALID_REQUEST",
      });
    }
    expect(index.checkAccess({ ...ok, subject: A.toUpperCase().replace("0X", "0x") }).allowed).toBe(
      true,
    );
    expect(index.checkAccess({ ...ok, subject: new Uint8Array(32).fill(0xab) }).allowed).toBe(true);
  });

  it("denies with INDEX_ERROR when the clock fails", () => {
    const index = createConsentIndex({
      now: () => {
        throw new Error("clock gone");
      },
    });
    const broken = createConsentIndex({ now: () => Number.NaN });
    const request = { subject: A, use: P.HMB.bit, categories: C.DRUGS.bit };
    expect(index.checkAccess(request)).toEqual({ allowed: false, reason: "INDEX_ERROR" });
    expect(broken.checkAccess(request)).toEqual({ allowed: false, reason: "INDEX_ERROR" });
    const cohort = index.filterCohort([A, B], { use: P.HMB.bit, categories: C.DRUGS.bit });
    expect(cohort.allowedCount).toBe(0);
    expect(cohort.deniedByReason.INDEX_ERROR).toBe(2);
  });

  it("assertAccess throws CONSENT_DENIED with the reason and without the subject", () => {
    const index = syncedIndex();
    index.apply(change(A, 1));
    index.apply(change(B, 1, { status: "revoked" }));
    expect(() =>
      index.assertAccess({ subject: A, use: P.HMB.bit, categories: C.DRUGS.bit }),
    ).not.toThrow();
    const denied = expectCustosError(
      () => index.assertAccess({ subject: B, use: P.HMB.bit, categories: C.DRUGS.bit }),
      "CONSENT_DENIED",
    );
    expect(denied.details).toEqual({ reason: "REVOKED" });
    expect(String(denied)).not.toContain("cd".repeat(8));
  });

  it("validates its options", () => {
    const refused = (options: Parameters<typeof createConsentIndex>[0]) =>
      expectCustosError(() => createConsentIndex(options), "INVALID_ARGUMENT").details;
    expect(refused({} as never)).toEqual({ field: "now" });
    expect(refused({ now: () => 0, maxStalenessSeconds: -1 })).toEqual({
      field: "maxStalenessSeconds",
    });
    expect(refused({ now: () => 0, expectedSubjects: 1.5 })).toEqual({
      field: "expectedSubjects",
    });
  });
});

describe("createConsentIndex: filterCohort", () => {
  const indexArb = fc.array(
    fc.record({
      subject: subjectArb,
      revoke: fc.boolean(),
      purposes: purposesArb,
      categories: categoriesArb,
      validFrom: fc.integer({ min: T0 - 50, max: T0 + 50 }),
      validUntil: fc.oneof(fc.constant(0), fc.integer({ min: T0 - 50, max: T0 + 100 })),
    }),
    { maxLength: 60 },
  );

  it("equals per-subject checkAccess, for bytes and for strings with malformed entries", () => {
    fc.assert(
      fc.property(
        indexArb,
        fc.array(fc.oneof(fc.nat(), subjectArb, fc.constant("0xnope")), { maxLength: 80 }),
        useArb,
        categoriesArb,
        fc.integer({ min: T0 - 60, max: T0 + 110 }),
        (records, picks, use, categories, at) => {
          const index = syncedIndex();
          index.applyMany(
            records.map((r, i) =>
              change(r.subject, 1, {
                status: r.revoke ? "revoked" : "active",
                purposes: r.purposes,
                categories: r.categories,
                validFrom: r.validFrom,
                validUntil: r.validUntil,
                logIndex: i,
              }),
            ),
          );
          const cohort = picks.map((p) =>
            typeof p === "number" ? (records[p % Math.max(1, records.length)]?.subject ?? A) : p,
          );
          const request = { use, categories, at };
          const { allowed: expectedAllowed, denied: expectedDenied } = expectedCohortDecisions(
            index,
            cohort,
            request,
          );
          const fromStrings = index.filterCohort(cohort, request);
          expect([...fromStrings.allowedIndices]).toEqual(expectedAllowed);
          expect(fromStrings.allowedCount).toBe(expectedAllowed.length);
          expect(fromStrings.deniedByReason).toEqual(expectedDenied);
          const valid = cohort.filter((s) => s !== "0xnope");
          const bytes = new Uint8Array(
            Buffer.concat(valid.map((s) => Buffer.from(s.slice(2), "hex"))),
          );
          const fromBytes = index.filterCohort(bytes, request);
          const allowedSubjects = [...fromBytes.allowedIndices].map((i) => valid[i] as string);
          expect(allowedSubjects).toEqual(expectedAllowed.map((i) => cohort[i] as string));
          expect(fromBytes.snapshot.root).toBe(fromStrings.snapshot.root);
          expect(fromBytes.snapshot.root).toBe(buildCohortTree(allowedSubjects).root);
          expect(fromBytes.snapshot.count).toBe(new Set(allowedSubjects).size);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("commits to the allowed set independently of input order, and proofs verify", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(subjectArb, { minLength: 2, maxLength: 300 }),
        fc.array(fc.nat(), { minLength: 300, maxLength: 300 }),
        (subjects, keys) => {
          const index = syncedIndex();
          index.applyMany(
            subjects.map((s, i) => change(s, 1, { purposes: i % 3 === 0 ? P.CC.bit : P.GRU.bit })),
          );
          const request = { use: P.HMB.bit, categories: C.DRUGS.bit };
          const shuffled = subjects
            .map((s, i) => ({ s, k: keys[i] as number }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.s);
          const first = index.filterCohort(subjects, request);
          const second = index.filterCohort(shuffled, request);
          expect(second.snapshot).toEqual(first.snapshot);
          expect(first.snapshot.blockNumber).toBe(1);
          const allowed = [...first.allowedIndices].map((i) => subjects[i] as string);
          const tree = buildCohortTree(allowed);
          for (const s of allowed.slice(0, 5)) {
            const proof = tree.prove(s);
            expect(proof).toBeDefined();
            expect(verifyInclusion(first.snapshot.root, s, proof as never)).toBe(true);
          }
          // Revoking one allowed subject changes the committed set and so the root.
          index.apply(change(allowed[0] as string, 2, { status: "revoked" }));
          const third = index.filterCohort(subjects, request);
          expect(third.allowedCount).toBe(first.allowedCount - 1);
          expect(third.snapshot.root).not.toBe(first.snapshot.root);
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("handles unaligned byte cohorts and rejects ragged ones", () => {
    const index = syncedIndex();
    index.apply(change(A, 1));
    const buffer = new Uint8Array(1 + 64);
    buffer.set(Buffer.from(B.slice(2), "hex"), 1);
    buffer.set(Buffer.from(A.slice(2), "hex"), 33);
    const result = index.filterCohort(buffer.subarray(1), {
      use: P.HMB.bit,
      categories: C.DRUGS.bit,
    });
    expect([...result.allowedIndices]).toEqual([1]);
    expect(result.deniedByReason.UNKNOWN_SUBJECT).toBe(1);
    expectCustosError(
      () => index.filterCohort(new Uint8Array(33), { use: P.HMB.bit, categories: C.DRUGS.bit }),
      "INVALID_ARGUMENT",
    );
    expectCustosError(
      () =>
        index.filterCohort("nope" as unknown as string[], {
          use: P.HMB.bit,
          categories: C.DRUGS.bit,
        }),
      "INVALID_ARGUMENT",
    );
  });

  it("denies the whole cohort for request-wide reasons, malformed entries still INVALID_REQUEST", () => {
    const clock = { t: T0 };
    const index = createConsentIndex({ now: () => clock.t, maxStalenessSeconds: 5 });
    index.apply(change(A, 1));
    const cohort = [A, B, "bad"];
    const request = { use: P.HMB.bit, categories: C.DRUGS.bit };
    const notSynced = index.filterCohort(cohort, request);
    expect(notSynced.deniedByReason.INDEX_NOT_SYNCED).toBe(2);
    expect(notSynced.deniedByReason.INVALID_REQUEST).toBe(1);
    expect(notSynced.snapshot.blockNumber).toBeNull();
    expect(notSynced.snapshot.count).toBe(0);
    index.markSynced(3, T0);
    clock.t = T0 + 6;
    expect(index.filterCohort(cohort, request).deniedByReason.INDEX_STALE).toBe(2);
    const invalid = index.filterCohort(cohort, { use: 0, categories: C.DRUGS.bit });
    expect(invalid.deniedByReason.INVALID_REQUEST).toBe(3);
    expect(index.filterCohort([], request).snapshot.root).toBe(notSynced.snapshot.root);
  });
});

describe("createConsentIndex: spotCheck", () => {
  function seeded(seed: number) {
    let s = seed;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("reports each kind of disagreement, in sample order", async () => {
    const index = syncedIndex();
    const subjects = Array.from(
      { length: 6 },
      (_, i) => `0x${String(i + 1).repeat(64)}` as `0x${string}`,
    );
    index.applyMany(subjects.slice(0, 5).map((s) => change(s, 2)));
    const chain = new Map<string, ConsentState>(
      subjects.map((s) => [
        s,
        {
          status: "active",
          purposes: P.HMB.bit,
          categories: C.DRUGS.bit | C.CONDITIONS.bit,
          validFrom: T0 - 1000,
          validUntil: 0,
          version: 2,
          custodian: 1,
        },
      ]),
    );
    const at = (i: number) => subjects[i] as `0x${string}`;
    chain.set(at(1), { ...(chain.get(at(1)) as ConsentState), version: 3, status: "revoked" });
    chain.set(at(2), { ...(chain.get(at(2)) as ConsentState), version: 1 });
    chain.set(at(3), { ...(chain.get(at(3)) as ConsentState), purposes: P.GRU.bit, custodian: 2 });
    chain.set(at(4), { ...(chain.get(at(4)) as ConsentState), status: "none", version: 0 });
    const none: ConsentState = {
      status: "none",
      purposes: 0,
      categories: 0,
      validFrom: 0,
      validUntil: 0,
      version: 0,
      custodian: 0,
    };
    const report = await index.spotCheck(
      { size: 10, random: seeded(1), subjects: [at(5), `0x${"9".repeat(64)}`], concurrency: 3 },
      async (subject) => chain.get(subject) ?? none,
    );
    expect(report.checked).toBe(7);
    expect(report.matched).toBe(2);
    const kinds = new Map(report.mismatches.map((m) => [m.subject, m]));
    expect(kinds.get(at(1))?.kind).toBe("INDEX_BEHIND");
    expect(kinds.get(at(2))?.kind).toBe("INDEX_AHEAD");
    expect(kinds.get(at(3))?.kind).toBe("DIVERGED");
    expect(kinds.get(at(3))?.fields).toEqual(["purposes", "custodian"]);
    expect(kinds.get(at(4))?.kind).toBe("MISSING_ON_CHAIN");
    expect(kinds.get(at(5))?.kind).toBe("MISSING_IN_INDEX");
    const again = await index.spotCheck(
      { size: 10, random: seeded(1), subjects: [at(5), `0x${"9".repeat(64)}`], concurrency: 1 },
      async (subject) => chain.get(subject) ?? none,
    );
    expect(again.mismatches).toEqual(report.mismatches);
  });

  it("draws a random sample of the requested size and fails typed", async () => {
    const index = syncedIndex();
    for (let i = 0; i < 50; i++) index.apply(change(`0x${i.toString(16).padStart(64, "0")}`, 1));
    const read = new Set<string>();
    const report = await index.spotCheck({ size: 10, random: seeded(7) }, async (subject) => {
      read.add(subject);
      return { ...(index.getRecord(subject) as ConsentState) };
    });
    expect(report).toEqual({ checked: 10, matched: 10, mismatches: [] });
    expect(read.size).toBe(10);
    const constant = new Set<string>();
    const degenerate = await index.spotCheck({ size: 10, random: () => 0.5 }, async (subject) => {
      constant.add(subject);
      return { ...(index.getRecord(subject) as ConsentState) };
    });
    expect(degenerate.checked).toBe(10);
    expect(constant.size).toBe(10);
    await expectCustosError(
      index.spotCheck({ size: 2, random: seeded(7) }, async () => {
        throw new Error("rpc down");
      }),
      "CONSENT_SPOT_CHECK_READ_FAILED",
    );
    await expectCustosError(
      index.spotCheck({ size: 2, random: seeded(7) }, async () => ({ status: "weird" }) as never),
      "CONSENT_SPOT_CHECK_READ_FAILED",
    );
    const badRandom = await expectCustosError(
      index.spotCheck({ size: 2, random: () => 1 }, async () => ({}) as never),
      "INVALID_ARGUMENT",
    );
    expect(badRandom.details).toMatchObject({ field: "sample.random" });
    const controller = new AbortController();
    const reason = new Error("stop");
    controller.abort(reason);
    // The caller's abort reason comes back as it was given.
    await expect(
      index.spotCheck(
        { size: 2, random: seeded(7), signal: controller.signal },
        async () => ({}) as never,
      ),
    ).rejects.toBe(reason);
  });
});
