import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  cohortTreeLayout,
  completeCohortTree,
  hashCohortNodes,
} from "../../../src/consentIndex/cohort/cohortTree.ts";
import {
  buildCohortTree,
  type CohortExecutor,
  type CohortResult,
  type CohortTask,
  type ConsentIndex,
  createInThreadCohortExecutor,
  createWorkerCohortExecutor,
  denyReasons,
  MAX_COHORT_WORKERS,
  sha256,
} from "../../../src/consentIndex/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { until } from "../fakeConsentChain.ts";
import {
  C,
  fixtureCohort,
  fixtureIndex,
  hex,
  P,
  requests,
  SEED,
  stateChange,
  T0,
  tieHeavyKeys,
} from "./cohortFixtures.ts";
import { gatedExecutor } from "./gatedExecutor.ts";

const known = tieHeavyKeys(3000, 41);
const outsiders = tieHeavyKeys(200, 42);
/** Nobody in the fixtures consents to POA: every known subject is denied. */
const allDenied = { use: P.POA.bit, categories: C.DRUGS.bit };
const cohortRequests = [...requests, allDenied] as const;

/** One filter's whole outcome as plain data, for exact comparison. */
function outcome(result: CohortResult) {
  return {
    allowedIndices: [...result.allowedIndices],
    allowedCount: result.allowedCount,
    deniedByReason: result.deniedByReason,
    snapshot: result.snapshot,
  };
}

/** Cohort entries: known subjects (often repeated), outsiders, prefix twins, malformed. */
const entryArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.nat({ max: known.length - 1 }).map((i) => hex(known[i] as Uint8Array)),
  },
  { weight: 2, arbitrary: fc.nat({ max: 20 }).map((i) => hex(known[i] as Uint8Array)) },
  {
    weight: 2,
    arbitrary: fc.nat({ max: outsiders.length - 1 }).map((i) => hex(outsiders[i] as Uint8Array)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat({ max: known.length - 1 }), fc.uint8Array({ minLength: 28, maxLength: 28 }))
      .map(([i, tail]) => {
        const key = new Uint8Array(32);
        key.set((known[i] as Uint8Array).subarray(0, 4));
        key.set(tail, 4);
        return hex(key);
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("0xnope", `0x${"00".repeat(32)}`, `0x${"ff".repeat(32)}`),
  },
);

const bytesOf = (cohort: readonly string[]) =>
  new Uint8Array(
    Buffer.concat(
      cohort.filter((s) => /^0x[0-9a-f]{64}$/i.test(s)).map((s) => Buffer.from(s.slice(2), "hex")),
    ),
  );

/** Asserts that the executor path gives exactly the single-thread result, for strings and bytes. */
async function expectSameAsSingleThread(
  index: ConsentIndex,
  cohort: readonly string[],
  request: (typeof cohortRequests)[number],
): Promise<void> {
  const single = index.filterCohort(cohort, request);
  expect(outcome(await index.filterCohortAsync(cohort, request))).toEqual(outcome(single));
  const bytes = bytesOf(cohort);
  expect(outcome(await index.filterCohortAsync(bytes, request))).toEqual(
    outcome(index.filterCohort(bytes, request)),
  );
  // And the single-thread path itself is checkAccess, subject by subject.
  const allowed = cohort.flatMap((subject, i) =>
    index.checkAccess({ subject, ...request }).allowed ? [i] : [],
  );
  expect([...single.allowedIndices]).toEqual(allowed);
  expect(single.snapshot.root).toBe(buildCohortTree(allowed.map((i) => cohort[i] as string)).root);
}

const workerExecutors: CohortExecutor[] = [];
afterAll(async () => {
  await Promise.all(workerExecutors.map((executor) => executor.close()));
});
function workers(count: number): CohortExecutor {
  const executor = createWorkerCohortExecutor({ workers: count, minEntriesPerTask: 1 });
  workerExecutors.push(executor);
  return executor;
}

describe("filterCohortAsync: the parallel plan equals the single-thread path", () => {
  it("for any number of tasks, with ties, duplicates, unknown and malformed entries (in thread)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { maxLength: 3000 }),
        fc.constantFrom(...cohortRequests),
        fc.integer({ min: 1, max: 9 }),
        async (cohort, request, parallelism) => {
          const index = fixtureIndex(
            known,
            0,
            createInThreadCohortExecutor({ parallelism, minEntriesPerTask: 1 }),
          );
          await expectSameAsSingleThread(index, cohort, request);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("on worker threads (2 and 3 workers, real SharedArrayBuffers)", async () => {
    const two = fixtureIndex(known, 0, workers(2));
    const three = fixtureIndex(known, 0, workers(3));
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { maxLength: 3000 }),
        fc.constantFrom(...cohortRequests),
        async (cohort, request) => {
          await expectSameAsSingleThread(two, cohort, request);
          await expectSameAsSingleThread(three, cohort, request);
        },
      ),
      { seed: SEED + 1, numRuns: 15 },
    );
  });

  it("at the edges: empty, one subject, one subject repeated, leaf boundaries, all denied, not synced", async () => {
    const exactly = (n: number) => known.slice(0, n * 2).map((k) => hex(k));
    const cases: [string, string[]][] = [
      ["empty", []],
      ["one", [hex(known[0] as Uint8Array)]],
      ["one repeated", Array.from({ length: 500 }, () => hex(known[0] as Uint8Array))],
      // Every other fixture subject is allowed for requests[0]: about 128, 129, 256, 257 leaves' worth.
      ["~128 allowed", exactly(128)],
      ["~129 allowed", exactly(129)],
      ["~257 allowed", exactly(257)],
      ["malformed only", ["0xnope", "0x12", ""]],
    ];
    for (const parallelism of [1, 2, 3, 7]) {
      const index = fixtureIndex(
        known,
        0,
        createInThreadCohortExecutor({ parallelism, minEntriesPerTask: 1 }),
      );
      for (const [, cohort] of cases) {
        for (const request of cohortRequests)
          await expectSameAsSingleThread(index, cohort, request);
      }
    }
    const threaded = fixtureIndex(known, 0, workers(2));
    for (const [, cohort] of cases) await expectSameAsSingleThread(threaded, cohort, requests[0]);
    const cohort = known.slice(0, 300).map((k) => hex(k));
    const denied = await threaded.filterCohortAsync(cohort, allDenied);
    expect(denied.allowedCount).toBe(0);
    expect(denied.snapshot.root).toBe(buildCohortTree([]).root);
    const unsynced = createInThreadCohortExecutor({ parallelism: 3 });
    const fresh = fixtureIndex([], 0, unsynced);
    fresh.markUnsynced();
    const result = await fresh.filterCohortAsync(cohort, requests[0]);
    expect(result.deniedByReason.INDEX_SYNC_FAILED).toBe(300);
  });

  it("keeps proofs: a subject's proof from the allowed set verifies against the parallel root", async () => {
    const index = fixtureIndex(known, 0, workers(2));
    const cohort = fixtureCohort(known, 20_000, 43);
    const result = await index.filterCohortAsync(cohort, requests[1]);
    const members = [...result.allowedIndices].map((i) => cohort.subarray(i * 32, i * 32 + 32));
    const tree = buildCohortTree(members);
    expect(result.snapshot).toEqual({ blockNumber: 7, root: tree.root, count: tree.count });
    expect(outcome(result)).toEqual(outcome(index.filterCohort(cohort, requests[1])));
  });
});

describe("cohort tree kernels", () => {
  it("fill the nodes across any cuts to the same top as one pass over all leaves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 299 }), { maxLength: 8 }),
        fc.nat(),
        (leaves, rawCuts, salt) => {
          const layout = cohortTreeLayout(leaves);
          const fresh = () => {
            const tree = new Uint8Array(32 * layout.total);
            for (let i = 0; i < leaves; i++)
              tree.set(sha256(new Uint8Array([i, salt & 255])), 32 * i);
            return tree;
          };
          const whole = fresh();
          hashCohortNodes(whole, leaves, 0, leaves, sha256);
          const hexOf = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");
          const top = completeCohortTree(whole, leaves, [], sha256);
          const reference = hexOf(buildReferenceTop(whole.subarray(0, 32 * leaves)));
          expect(hexOf(top)).toBe(reference);

          const cuts = [...new Set(rawCuts.filter((c) => c < leaves))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, leaves];
          const split = fresh();
          for (let k = 0; k + 1 < bounds.length; k++) {
            hashCohortNodes(split, leaves, bounds[k] as number, bounds[k + 1] as number, sha256);
          }
          expect(hexOf(completeCohortTree(split, leaves, cuts, sha256))).toBe(reference);
          expect(split).toEqual(whole);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

/** The textbook fold: pair up, carry an odd last node, until one is left. */
function buildReferenceTop(leafHashes: Uint8Array): Uint8Array {
  let level: Uint8Array[] = [];
  for (let i = 0; i < leafHashes.length; i += 32) level.push(leafHashes.slice(i, i + 32));
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      up.push(
        right === undefined
          ? (level[i] as Uint8Array)
          : sha256(new Uint8Array([1, ...(level[i] as Uint8Array), ...right])),
      );
    }
    level = up;
  }
  return level[0] as Uint8Array;
}

describe("ConsentIndex with an asynchronous cohort filter in progress", () => {
  it("refuses changes with CONSENT_INDEX_BUSY, still answers checks and filters, and queues filters", async () => {
    const gate = gatedExecutor(createInThreadCohortExecutor({ parallelism: 2 }));
    const index = fixtureIndex(known, 0, gate.executor);
    const cohort = known.slice(0, 100).map((k) => hex(k));
    const first = index.filterCohortAsync(cohort, requests[0]);
    const second = index.filterCohortAsync(cohort, requests[1]);
    let idle = false;
    void index.whenIdle().then(() => {
      idle = true;
    });
    await until(() => gate.waiting() === 1);
    expect(index.busy).toBe(true);
    const change = stateChange(outsiders[0] as Uint8Array, 1, 1);
    expectCustosError(() => index.apply(change), "CONSENT_INDEX_BUSY");
    expect(index.checkAccess({ subject: cohort[0] as string, ...requests[0] }).allowed).toBe(true);
    const single = index.filterCohort(cohort, requests[0]);
    gate.openAll();
    expect(outcome(await first)).toEqual(outcome(single));
    expect(outcome(await second)).toEqual(outcome(index.filterCohort(cohort, requests[1])));
    await index.whenIdle();
    expect(idle).toBe(true);
    expect(index.busy).toBe(false);
    expect(index.apply(change)).toBe("applied");
  });

  it("aborts a queued filter at once and a running one by ending its workers; the next filter is exact", async () => {
    const index = fixtureIndex(known, 0, workers(2));
    const cohort = fixtureCohort(known, 200_000, 44);
    const queued = new AbortController();
    queued.abort(new Error("not needed"));
    await expectCustosError(
      index.filterCohortAsync(cohort, requests[0], { signal: queued.signal }),
      "CONSENT_COHORT_ABORTED",
    );

    const running = new AbortController();
    const filtering = index.filterCohortAsync(cohort, requests[0], { signal: running.signal });
    await until(() => index.busy);
    running.abort();
    await expectCustosError(filtering, "CONSENT_COHORT_ABORTED");
    await index.whenIdle();
    expect(outcome(await index.filterCohortAsync(cohort, requests[0]))).toEqual(
      outcome(index.filterCohort(cohort, requests[0])),
    );
  });
});

describe("createWorkerCohortExecutor", () => {
  it("rejects malformed options with INVALID_ARGUMENT naming the field", () => {
    for (const [field, options] of [
      ["workers", { workers: 0 }],
      ["workers", { workers: MAX_COHORT_WORKERS + 1 }],
      ["workers", { workers: 1.5 }],
      ["minEntriesPerTask", { minEntriesPerTask: 0 }],
    ] as const) {
      const error = expectCustosError(
        () => createWorkerCohortExecutor(options),
        "INVALID_ARGUMENT",
      );
      expect(error.details).toEqual({ field });
    }
  });

  /** A commit task over fresh shared buffers; `slices` decides whether it can succeed. */
  function commitTask(shared: boolean, distinct: number): CohortTask {
    const words = (n: number) =>
      new Uint32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n));
    return {
      kind: "commit",
      buffers: {
        rows: words(64),
        words: words(8),
        invalid: null,
        pairs: words(2),
        counts: words(256),
        starts: words(257),
        bits: words(1),
        tree: new Uint8Array(shared ? new SharedArrayBuffer(64) : new ArrayBuffer(64)),
      },
      // More distinct subjects than the (empty) slices locate: the leaf hashing fails.
      distinctSlices: [],
      distinct,
      leaves: Math.ceil(distinct / 128),
      leafFrom: 0,
      hashFrom: 0,
      leafTo: Math.ceil(distinct / 128),
      allowedSlices: [],
      allowedFrom: 0,
      allowedTo: 0,
      bitset: 0,
      bitWords: 1,
      wordCuts: [0, 1],
    };
  }

  it("reports a failing task as CONSENT_COHORT_WORKER_FAILED and keeps working", async () => {
    const executor = workers(2);
    const error = await expectCustosError(
      executor.run([commitTask(true, 0), commitTask(true, 5)]),
      "CONSENT_COHORT_WORKER_FAILED",
    );
    expect(error.details).toMatchObject({ code: null });
    expect(await executor.run([commitTask(true, 0)])).toEqual([{ kind: "commit", marked: [0] }]);
  });

  it("refuses buffers that are not shared (a worker would write to a copy)", async () => {
    const error = await expectCustosError(
      workers(1).run([commitTask(false, 0)]),
      "INVALID_ARGUMENT",
    );
    expect(error.details).toEqual({ field: "buffers.rows" });
  });

  it("ends a running phase on abort, then runs the next one on fresh workers", async () => {
    const executor = workers(2);
    const controller = new AbortController();
    const running = executor.run([commitTask(true, 0), commitTask(true, 0)], controller.signal);
    controller.abort();
    await expectCustosError(running, "CONSENT_COHORT_ABORTED");
    expect(await executor.run([commitTask(true, 0)])).toEqual([{ kind: "commit", marked: [0] }]);
  });

  it("closes: pending and later runs reject with CONSENT_COHORT_EXECUTOR_CLOSED", async () => {
    const controller = new AbortController();
    const executor = createWorkerCohortExecutor({ workers: 1, signal: controller.signal });
    const pending = executor.run([commitTask(true, 0), commitTask(true, 0)]);
    controller.abort();
    await executor.close();
    await expectCustosError(pending, "CONSENT_COHORT_EXECUTOR_CLOSED");
    await expectCustosError(executor.run([commitTask(true, 0)]), "CONSENT_COHORT_EXECUTOR_CLOSED");
    const index = fixtureIndex(known, 0, executor);
    await expectCustosError(
      index.filterCohortAsync([hex(known[0] as Uint8Array)], requests[0]),
      "CONSENT_COHORT_EXECUTOR_CLOSED",
    );
  });
});

describe("filterCohortAsync reports every deny reason like filterCohort", () => {
  it("including INVALID_REQUEST for a malformed request and T0-relative validity", async () => {
    const index = fixtureIndex(known, 0, workers(2));
    const cohort = known.slice(0, 50).map((k) => hex(k));
    for (const request of [
      { use: 0, categories: C.DRUGS.bit },
      { use: P.HMB.bit | P.NCU.bit, categories: C.DRUGS.bit, at: T0 - 5_000 },
    ]) {
      const result = await index.filterCohortAsync(cohort, request);
      expect(outcome(result)).toEqual(outcome(index.filterCohort(cohort, request)));
      expect(Object.keys(result.deniedByReason)).toEqual([...denyReasons]);
    }
  });
});
