import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildCohortTree,
  buildSortedCohortTree,
  COHORT_LEAF_SIZE,
  type CohortInclusionProof,
  proveInclusion,
  verifyInclusion,
} from "../../../src/consentIndex/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

const SEED = 20261123;

function subjects(count: number, salt: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const bytes = Buffer.alloc(32);
    let x = (i + 1) * 2654435761 + salt;
    for (let b = 0; b < 32; b++) {
      x = (Math.imul(x ^ (x >>> 15), 2246822519) + b) >>> 0;
      bytes[b] = x & 0xff;
    }
    return `0x${bytes.toString("hex")}`;
  });
}

describe("buildCohortTree / verifyInclusion", () => {
  it("proves every member across leaf boundaries and refuses non-members", () => {
    for (const size of [
      1,
      2,
      COHORT_LEAF_SIZE - 1,
      COHORT_LEAF_SIZE,
      COHORT_LEAF_SIZE + 1,
      5 * COHORT_LEAF_SIZE + 3,
    ]) {
      const members = subjects(size, size);
      const tree = buildCohortTree(members);
      expect(tree.count).toBe(size);
      for (const m of members) {
        const proof = tree.prove(m);
        expect(proof).toBeDefined();
        expect(verifyInclusion(tree.root, m, proof as CohortInclusionProof)).toBe(true);
      }
      const outsider = subjects(1, 999_999)[0] as string;
      expect(tree.prove(outsider)).toBeUndefined();
      const someProof = tree.prove(members[0] as string) as CohortInclusionProof;
      expect(verifyInclusion(tree.root, outsider, someProof)).toBe(false);
    }
  });

  it("rejects tampered proofs and wrong roots", () => {
    const members = subjects(3 * COHORT_LEAF_SIZE + 7, 3);
    const tree = buildCohortTree(members);
    const member = members[200] as string;
    const proof = tree.prove(member) as CohortInclusionProof;
    const flip = (hex: string, at: number) =>
      `${hex.slice(0, at)}${hex[at] === "0" ? "1" : "0"}${hex.slice(at + 1)}` as `0x${string}`;
    const tampered: CohortInclusionProof[] = [
      { ...proof, count: proof.count + 1 },
      { ...proof, count: proof.count - 1 },
      { ...proof, leafIndex: proof.leafIndex ^ 1 },
      { ...proof, leaf: flip(proof.leaf, 10) },
      { ...proof, leaf: `${proof.leaf}00` as `0x${string}` },
      { ...proof, siblings: proof.siblings.map((s, i) => (i === 0 ? flip(s, 5) : s)) },
      { ...proof, siblings: proof.siblings.slice(1) },
      { ...proof, siblings: [...proof.siblings, proof.siblings[0] as `0x${string}`] },
      { ...proof, siblings: "nope" as never },
      null as never,
    ];
    for (const bad of tampered) expect(verifyInclusion(tree.root, member, bad)).toBe(false);
    expect(verifyInclusion(flip(tree.root, 4), member, proof)).toBe(false);
    expect(verifyInclusion(tree.root, "0x12", proof)).toBe(false);
    expect(verifyInclusion(tree.root.toUpperCase().replace("0X", "0x"), member, proof)).toBe(true);
  });

  it("a leaf whose members are out of order does not verify", () => {
    const members = subjects(2, 11);
    const tree = buildCohortTree(members);
    const proof = tree.prove(members[0] as string) as CohortInclusionProof;
    const leaf = proof.leaf.slice(2);
    const swapped = `0x${leaf.slice(64)}${leaf.slice(0, 64)}` as `0x${string}`;
    expect(verifyInclusion(tree.root, members[0] as string, { ...proof, leaf: swapped })).toBe(
      false,
    );
  });

  it("commits to the set: order and duplicates do not matter, membership does", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
          minLength: 1,
          maxLength: 400,
          selector: (b) => Buffer.from(b).toString("hex"),
        }),
        fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
        (raw, keys) => {
          const members = raw.map((b) => `0x${Buffer.from(b).toString("hex")}`);
          const shuffled = members
            .map((m, i) => ({ m, k: keys[i] as number }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.m);
          const root = buildCohortTree(members).root;
          expect(buildCohortTree([...shuffled, ...shuffled.slice(0, 3)]).root).toBe(root);
          const bytes = new Uint8Array(Buffer.concat(raw.map((b) => Buffer.from(b))));
          expect(buildCohortTree(bytes).root).toBe(root);
          expect(buildCohortTree(members.slice(1)).root).not.toBe(root);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("builds the same tree from members already sorted, and refuses members that are not", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
          minLength: 0,
          maxLength: 3 * COHORT_LEAF_SIZE + 5,
          selector: (b) => Buffer.from(b).toString("hex"),
        }),
        fc.nat(),
        (raw, pick) => {
          const sorted = raw.map((b) => Buffer.from(b)).sort(Buffer.compare);
          const bytes = new Uint8Array(Buffer.concat(sorted));
          const reference = buildCohortTree(bytes);
          const tree = buildSortedCohortTree(bytes);
          expect(tree.root).toBe(reference.root);
          expect(tree.count).toBe(reference.count);
          if (sorted.length > 0) {
            const member = `0x${(sorted[pick % sorted.length] as Buffer).toString("hex")}`;
            expect(tree.prove(member)).toEqual(reference.prove(member));
          }
          if (sorted.length > 1) {
            // Two members swapped, or one repeated: not strictly ascending.
            const i = 1 + (pick % (sorted.length - 1));
            const swapped = [
              ...sorted.slice(0, i - 1),
              sorted[i] as Buffer,
              sorted[i - 1] as Buffer,
              ...sorted.slice(i + 1),
            ];
            expectCustosError(
              () => buildSortedCohortTree(new Uint8Array(Buffer.concat(swapped))),
              "INVALID_ARGUMENT",
            );
            const repeated = [...sorted.slice(0, i), sorted[i - 1] as Buffer, ...sorted.slice(i)];
            expectCustosError(
              () => buildSortedCohortTree(new Uint8Array(Buffer.concat(repeated))),
              "INVALID_ARGUMENT",
            );
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("uses SHA-256 through the hash port: an injected @noble/hashes SHA-256 gives the same roots", () => {
    const members = subjects(300, 5);
    const viaNoble = buildCohortTree(members, { hash: nobleSha256 });
    expect(viaNoble.root).toBe(buildCohortTree(members).root);
    const proof = proveInclusion(members, members[7] as string, { hash: nobleSha256 });
    expect(
      verifyInclusion(viaNoble.root, members[7] as string, proof as CohortInclusionProof),
    ).toBe(true);
    const shortHash = expectCustosError(
      () => buildCohortTree(members, { hash: () => new Uint8Array(31) }),
      "INVALID_ARGUMENT",
    );
    expect(shortHash.details).toEqual({ field: "hash" });
  });

  it("pins the empty-set root and rejects malformed member lists", () => {
    // H(0x02 ‖ uint64 0 ‖ 32 zero bytes): the root a fully denied cohort publishes.
    expect(buildCohortTree([]).root).toBe(
      `0x${Buffer.from(nobleSha256(new Uint8Array(41).fill(0, 1).fill(2, 0, 1))).toString("hex")}`,
    );
    const refused = (members: unknown) =>
      expectCustosError(() => buildCohortTree(members as string[]), "INVALID_ARGUMENT").details;
    expect(refused(new Uint8Array(40))).toEqual({ field: "members", length: 40 });
    expect(refused(["0x01"])).toEqual({ field: "members[0]" });
    expect(refused(7)).toEqual({ field: "members" });
    expect(buildCohortTree(subjects(3, 1)).prove("0x00")).toBeUndefined();
  });
});
