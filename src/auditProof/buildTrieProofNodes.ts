import { createMerkleProof, createMPT } from "@ethereumjs/mpt";
import { trieIndexKey } from "./createTrieProofReader.ts";
import { bytesToHex } from "./hexBytes.ts";

/**
 * The trie of a block's transactions or receipts (value i under key rlp(i)), its root, and
 * the nodes proving some of its keys: the union of their Merkle proofs, each node once, in
 * the order first met, without the nodes shorter than 32 bytes that sit inside their parent
 * (what `createTrieProofReader` walks). Uses EthereumJS's trie: a builder's tool, never the
 * verifier's.
 *
 * @example
 * ```ts
 * const { root, nodes } = await buildTrieProofNodes(receipts, [0, 1, 2]);
 * ```
 */
export async function buildTrieProofNodes(
  values: readonly Uint8Array[],
  indexes: readonly number[],
): Promise<{ readonly root: Uint8Array; readonly nodes: Uint8Array[] }> {
  const trie = await createMPT();
  for (const [index, value] of values.entries()) await trie.put(trieIndexKey(index), value);
  const root = trie.root();
  const nodes: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const index of indexes) {
    const proof = await createMerkleProof(trie, trieIndexKey(index));
    proof.forEach((node, depth) => {
      const hex = bytesToHex(node);
      if ((depth > 0 && node.length < 32) || seen.has(hex)) return;
      seen.add(hex);
      nodes.push(Uint8Array.from(node));
    });
  }
  return { root: Uint8Array.from(root), nodes };
}
