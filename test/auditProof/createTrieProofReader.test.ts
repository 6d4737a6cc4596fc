import { createMerkleProof, createMPT } from "@ethereumjs/mpt";
import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildTrieProofNodes } from "../../src/auditProof/buildTrieProofNodes.ts";
import { createTrieProofReader, trieIndexKey } from "../../src/auditProof/createTrieProofReader.ts";
import { failAt } from "../../src/auditProof/proofInvalid.ts";
import { expectCustosError } from "../expectCustosError.ts";

const SEED = 20261207;
const fail = failAt("receiptsRoot", {});

describe("the Merkle-Patricia proof walk", () => {
  it("reads every proven key and proves absent keys absent, as EthereumJS's trie holds them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 40,
          selector: bytesToHex,
        }),
        fc.uint8Array({ minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 120 }),
        async (keys, probe, valueLength) => {
          const trie = await createMPT();
          const values = keys.map((_, i) => new Uint8Array(valueLength).fill(i + 1));
          for (const [i, key] of keys.entries()) await trie.put(key, values[i] as Uint8Array);
          for (const [i, key] of keys.entries()) {
            const proof = await createMerkleProof(trie, key);
            // createMerkleProof lists embedded nodes too; a parent holds them already.
            const nodes = proof.filter((node, depth) => depth === 0 || node.length >= 32);
            const reader = createTrieProofReader(trie.root(), nodes, fail);
            expect(bytesToHex(reader.get(key) as Uint8Array)).toBe(
              bytesToHex(values[i] as Uint8Array),
            );
            expect(reader.unused()).toBe(0);
          }
          const absent = keys.some((key) => bytesToHex(key) === bytesToHex(probe));
          const nodes = (await createMerkleProof(trie, probe)).filter(
            (node, depth) => depth === 0 || node.length >= 32,
          );
          const found = createTrieProofReader(trie.root(), nodes, fail).get(probe);
          if (absent) expect(found).toBeDefined();
          else expect(found).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("reads many indexes from one multiproof and counts the nodes none used", async () => {
    const values = Array.from({ length: 300 }, (_, i) =>
      new Uint8Array(40 + (i % 7)).fill(i % 256),
    );
    const { root, nodes } = await buildTrieProofNodes(values, [0, 1, 127, 128, 299]);
    const reader = createTrieProofReader(root, nodes, fail);
    for (const index of [0, 1, 127, 128, 299]) {
      expect(bytesToHex(reader.get(trieIndexKey(index)) as Uint8Array)).toBe(
        bytesToHex(values[index] as Uint8Array),
      );
    }
    expect(reader.unused()).toBe(0);
    const partial = createTrieProofReader(root, nodes, fail);
    partial.get(trieIndexKey(0));
    expect(partial.unused()).toBeGreaterThan(0);
    expect(reader.get(trieIndexKey(300))).toBeUndefined();
  });

  it("fails on a missing, repeated or malformed node, naming its link", async () => {
    const values = Array.from({ length: 20 }, (_, i) => new Uint8Array(50).fill(i));
    const { root, nodes } = await buildTrieProofNodes(values, [5]);
    const missing = createTrieProofReader(root, nodes.slice(0, -1), fail);
    const error = expectCustosError(() => missing.get(trieIndexKey(5)), "AUDIT_PROOF_INVALID");
    expect(error.details.link).toBe("receiptsRoot");
    expectCustosError(
      () => createTrieProofReader(root, [...nodes, nodes[0] as Uint8Array], fail),
      "AUDIT_PROOF_INVALID",
    );
    expectCustosError(
      () => createTrieProofReader(root, [Uint8Array.of(0x81)], fail),
      "AUDIT_PROOF_INVALID",
    );
    const tampered = nodes.map((node) => Uint8Array.from(node));
    const last = tampered[tampered.length - 1] as Uint8Array;
    last[last.length - 1] = (last[last.length - 1] as number) ^ 1;
    expectCustosError(
      () => createTrieProofReader(root, tampered, fail).get(trieIndexKey(5)),
      "AUDIT_PROOF_INVALID",
    );
  });

  it("keys index i by rlp(i)", () => {
    expect(bytesToHex(trieIndexKey(0))).toBe("0x80");
    expect(bytesToHex(trieIndexKey(1))).toBe("0x01");
    expect(bytesToHex(trieIndexKey(127))).toBe("0x7f");
    expect(bytesToHex(trieIndexKey(128))).toBe("0x8180");
    expect(bytesToHex(trieIndexKey(256))).toBe("0x820100");
  });
});
