import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCohortTree } from "../../../src/consentIndex/index.ts";
import {
  expectedCohortDecisions,
  fixtureCohort,
  fixtureIndex,
  hex,
  requests,
  SEED,
  tieHeavyKeys,
} from "./cohortFixtures.ts";

const digest = (data: Uint32Array) =>
  createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");

/**
 * Snapshot roots, allowed-index digests and counts of the fixtures below, recorded with the
 * implementation before the sorted-merge filter (commit 9e5ccf7: batched random lookups and
 * a slot bitset). The root is a commitment other parts rely on: it must not move.
 */
const recorded = [
  {
    root: "0x6dcba088fcd8fcd95f94f8b4fafe6f02940a5e8b7f27b7e6691a41c1d1c9627c",
    count: 2732,
    allowedDigest: "d5458b3efef380adcfe78865e58bdf0a81fd9e447b68298819a90c5c9a47931a",
  },
  {
    root: "0xb4d8b19687516a65f338f08fec74cf6e434684fea1fd2d5128028ee5c75ce0cb",
    count: 3269,
    allowedDigest: "4143e9ab479f85eacd24589794f1b0ea75eb34fbbc05386434e62310cd45073a",
  },
  {
    root: "0x953d234c40da4cc1d389983ecf9723dea51a207e330e787ca1a0b40d4a1e806c",
    count: 537,
    allowedDigest: "209612875f348d93a4d320abe86e88a769a641134ae781993517ebf532096354",
  },
];

describe("filterCohort: sorted merge", () => {
  it("keeps the snapshot roots and allowed sets of the previous implementation", () => {
    const known = tieHeavyKeys(6000, 11);
    const cohort = fixtureCohort(known, 20_000, 12);
    for (const expectedSubjects of [0, 6000]) {
      const index = fixtureIndex(known, expectedSubjects);
      requests.forEach((request, r) => {
        const result = index.filterCohort(cohort, request);
        const got = {
          root: result.snapshot.root,
          count: result.snapshot.count,
          allowedDigest: digest(result.allowedIndices),
        };
        expect(got).toEqual(recorded[r]);
      });
    }
  });
});

describe("filterCohort: equals per-subject checkAccess", () => {
  it("on random cohorts with ties, duplicates, unknown and malformed subjects, unsorted", () => {
    const known = tieHeavyKeys(400, 21);
    const index = fixtureIndex(known, 0);
    const outsiders = tieHeavyKeys(60, 22);
    const pick = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.nat({ max: known.length - 1 }).map((i) => hex(known[i] as Uint8Array)),
      },
      {
        weight: 2,
        arbitrary: fc
          .nat({ max: outsiders.length - 1 })
          .map((i) => hex(outsiders[i] as Uint8Array)),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.nat({ max: known.length - 1 }), fc.uint8Array({ minLength: 24, maxLength: 24 }))
          .map(([i, tail]) => {
            const key = new Uint8Array(32);
            key.set((known[i] as Uint8Array).subarray(0, 8));
            key.set(tail, 8);
            return hex(key);
          }),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom("0xnope", `0x${"00".repeat(32)}`, `0x${"ff".repeat(32)}`),
      },
    );
    fc.assert(
      fc.property(
        fc.array(pick, { maxLength: 700 }),
        fc.constantFrom(...requests),
        (cohort, request) => {
          const { allowed: expectedAllowed, denied: expectedDenied } = expectedCohortDecisions(
            index,
            cohort,
            request,
          );
          const result = index.filterCohort(cohort, request);
          expect([...result.allowedIndices]).toEqual(expectedAllowed);
          expect(result.allowedCount).toBe(expectedAllowed.length);
          expect(result.deniedByReason).toEqual(expectedDenied);
          const allowed = expectedAllowed.map((i) => cohort[i] as string);
          expect(result.snapshot.count).toBe(new Set(allowed).size);
          expect(result.snapshot.root).toBe(buildCohortTree(allowed).root);
        },
      ),
      { seed: SEED, numRuns: 120 },
    );
  });

  it("decides a cohort much larger than the table and a sparse one alike", () => {
    const known = tieHeavyKeys(3000, 31);
    const index = fixtureIndex(known, 100_000);
    const request = requests[0];
    for (const size of [1, 7, 50_000]) {
      const cohort = fixtureCohort(known, size, 32 + size);
      const result = index.filterCohort(cohort, request);
      const expected: number[] = [];
      for (let i = 0; i < size; i++) {
        if (
          index.checkAccess({ subject: cohort.subarray(i * 32, i * 32 + 32), ...request }).allowed
        ) {
          expected.push(i);
        }
      }
      expect([...result.allowedIndices]).toEqual(expected);
    }
  });
});
