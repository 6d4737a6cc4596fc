import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AllowedSlice,
  listAllowedPositions,
  markAllowedPositions,
} from "../../../src/consentIndex/cohort/cohortAllowed.ts";
import { COHORT_BUCKETS } from "../../../src/consentIndex/cohort/cohortSort.ts";
import {
  COHORT_LEAF_SIZE,
  type CohortExecutor,
  type CohortTask,
  createInThreadCohortExecutor,
} from "../../../src/consentIndex/index.ts";
import { fixtureCohort, fixtureIndex, requests, SEED, tieHeavyKeys } from "./cohortFixtures.ts";

/** An in-thread executor that keeps every phase's tasks for inspection. */
function recordingExecutor(parallelism: number, minEntriesPerTask: number) {
  const inner = createInThreadCohortExecutor({ parallelism, minEntriesPerTask });
  const phases: (readonly CohortTask[])[] = [];
  const executor: CohortExecutor = {
    parallelism,
    minEntriesPerTask,
    sharedMemory: false,
    run(tasks, signal) {
      phases.push(tasks);
      return inner.run(tasks, signal);
    },
    close: () => inner.close(),
  };
  return { executor, phases };
}

type Kind = CohortTask["kind"];
function tasksOf<K extends Kind>(
  phases: readonly (readonly CohortTask[])[],
  kind: K,
): Extract<CohortTask, { kind: K }>[] {
  const phase = phases.find((tasks) => tasks[0]?.kind === kind) ?? [];
  return phase as Extract<CohortTask, { kind: K }>[];
}

const known = tieHeavyKeys(3000, 51);

describe("cohortPlan: how the phases are cut", () => {
  it("covers every bucket, leaf and allowed position once, whatever the tasks and chunk floor", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(1, 50, 700, 65_536),
        fc.nat(),
        async (size, parallelism, minEntriesPerTask, seed) => {
          const { executor, phases } = recordingExecutor(parallelism, minEntriesPerTask);
          const index = fixtureIndex(known, 0, executor);
          const cohort = fixtureCohort(known, size, seed);
          const result = await index.filterCohortAsync(cohort, requests[0]);
          expect(result.allowedIndices).toEqual(
            index.filterCohort(cohort, requests[0]).allowedIndices,
          );
          const tasks = Math.max(1, Math.min(parallelism, Math.floor(size / minEntriesPerTask)));

          // Merge: contiguous bucket ranges over all buckets; the first hashes its leaves; a
          // single task stays one range; chunks are bounded.
          const merges = tasksOf(phases, "merge");
          expect(merges[0]?.bucketFrom).toBe(0);
          expect(merges.at(-1)?.bucketTo).toBe(COHORT_BUCKETS);
          merges.forEach((task, k) => {
            expect(task.bucketTo).toBeGreaterThan(task.bucketFrom);
            if (k > 0) expect(task.bucketFrom).toBe(merges[k - 1]?.bucketTo);
            expect(task.hashLeaves).toBe(k === 0);
          });
          if (tasks === 1) expect(merges).toHaveLength(1);
          expect(merges.length).toBeLessThanOrEqual(1 + tasks * 16);

          // Commit: leaf ranges in order over all leaves, hashing only what the merge left;
          // equal shares of the allowed positions, each in its own bitset.
          const commits = tasksOf(phases, "commit");
          expect(commits).toHaveLength(tasks);
          const leaves = Math.ceil(result.snapshot.count / COHORT_LEAF_SIZE);
          let leafAt = 0;
          let allowedAt = 0;
          commits.forEach((task, k) => {
            expect(task.leafFrom).toBe(leafAt);
            expect(task.leafTo).toBeGreaterThanOrEqual(task.leafFrom);
            // The leaves before the first task's hashFrom were hashed during the merge.
            expect(task.hashFrom).toBe(Math.max(commits[0]?.hashFrom ?? 0, task.leafFrom));
            expect(task.allowedFrom).toBe(allowedAt);
            expect(task.allowedTo - task.allowedFrom).toBeLessThanOrEqual(
              Math.ceil(result.allowedCount / tasks),
            );
            expect(task.bitset).toBe(k);
            expect(task.wordCuts).toEqual(commits[0]?.wordCuts);
            leafAt = task.leafTo;
            allowedAt = task.allowedTo;
          });
          expect(leafAt).toBe(leaves);
          expect(commits[0]?.hashFrom).toBeLessThanOrEqual(leaves);
          expect(allowedAt).toBe(result.allowedCount);

          // List: the word ranges of the cuts, each at the count of the ranges before it.
          const lists = tasksOf(phases, "list");
          const wordCuts = commits[0]?.wordCuts ?? [];
          expect(wordCuts[0]).toBe(0);
          expect(wordCuts.at(-1)).toBe(Math.ceil(size / 32));
          lists.forEach((task, k) => {
            expect([task.wordFrom, task.wordTo]).toEqual([wordCuts[k], wordCuts[k + 1]]);
            expect(task.bitsets).toBe(tasks);
            const before = [...result.allowedIndices].filter((p) => p >>> 5 < task.wordFrom);
            expect(task.at).toBe(before.length);
          });
        },
      ),
      { seed: SEED + 7, numRuns: 60 },
    );
  });
});

describe("allowed-position bitsets", () => {
  it("marked in shares into separate bitsets, list the union in input order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 4095 }), { maxLength: 600 }),
        fc.array(fc.nat({ max: 50 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 127 }), { maxLength: 4 }),
        (positions, sliceCuts, bitsets, rawWordCuts) => {
          // Lay the positions out as the merge does: slices of pairs, position at even index,
          // with gaps between slices.
          const cuts = [...new Set(sliceCuts.map((c) => Math.min(c, positions.length)))].sort(
            (a, b) => a - b,
          );
          const bounds = [0, ...cuts, positions.length];
          const pairs = new Uint32Array(2 * (positions.length + 10 * bounds.length));
          const slices: AllowedSlice[] = [];
          let first = 0;
          for (let s = 0; s + 1 < bounds.length; s++) {
            const count = (bounds[s + 1] as number) - (bounds[s] as number);
            for (let k = 0; k < count; k++) {
              pairs[2 * (first + k)] = positions[(bounds[s] as number) + k] as number;
              pairs[2 * (first + k) + 1] = 0xdeadbeef;
            }
            slices.push({ first, count });
            first += count + 10;
          }
          const words = 128;
          const wordCuts = [0, ...rawWordCuts.sort((a, b) => a - b), words];
          const bits = new Uint32Array(bitsets * words).fill(0xffffffff);
          const perRange = wordCuts.slice(1).map(() => 0);
          for (let b = 0; b < bitsets; b++) {
            const from = Math.floor((positions.length * b) / bitsets);
            const to = Math.floor((positions.length * (b + 1)) / bitsets);
            const marked = markAllowedPositions(
              pairs,
              slices,
              from,
              to,
              bits.subarray(b * words, (b + 1) * words),
              wordCuts,
            );
            marked.forEach((n, r) => {
              perRange[r] = (perRange[r] as number) + n;
            });
          }
          const sorted = [...positions].sort((a, b) => a - b);
          wordCuts.slice(1).forEach((to, r) => {
            const inRange = sorted.filter(
              (p) => p >>> 5 >= (wordCuts[r] as number) && p >>> 5 < to,
            );
            expect(perRange[r]).toBe(inRange.length);
          });
          const out = new Uint32Array(positions.length + 1).fill(7);
          let at = 0;
          wordCuts.slice(1).forEach((to, r) => {
            listAllowedPositions(bits, bitsets, words, wordCuts[r] as number, to, out, at);
            at += perRange[r] as number;
          });
          expect([...out.subarray(0, positions.length)]).toEqual(sorted);
          expect(out[positions.length]).toBe(7);
        },
      ),
      { seed: SEED + 8, numRuns: 300 },
    );
  });
});
