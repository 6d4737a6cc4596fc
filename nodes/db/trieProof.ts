import { equalsBytes } from "@ethereumjs/util";
import { EMPTY_TRIE_ROOT, resolveNode } from "./createTrieUpdate.ts";
import { keyNibbles, type LoadNode, type TrieNode } from "./trieNode.ts";

/** A Merkle-Patricia proof of one key and the value it found. */
export interface TrieProof {
  /**
   * The RLP encodings of the stored nodes on the key's path, root first. Nodes embedded in
   * their parent (encodings under 32 bytes) are inside the parent's encoding, not listed,
   * as geth lists them. Empty for the empty trie.
   */
  readonly nodes: readonly Uint8Array[];
  /** The value under the key, or undefined when the proof shows it absent. */
  readonly value: Uint8Array | undefined;
}

/**
 * Proves `key` (raw bytes: the caller hashes keys of a secure trie) in the trie at `root`:
 * the nodes a verifier walks from the root's hash down to the key's leaf, or down to the
 * node showing that the key is absent (a branch with no child on its path, or a leaf or
 * extension whose path diverges).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node on the path is not stored,
 *   `CHAIN_DB_CORRUPT` when one does not decode.
 * @example
 * ```ts
 * const { nodes, value } = trieProof(stateRoot, keccak(address), load);
 * ```
 */
export function trieProof(root: Uint8Array, key: Uint8Array, load: LoadNode): TrieProof {
  if (equalsBytes(root, EMPTY_TRIE_ROOT)) return { nodes: [], value: undefined };
  const path = keyNibbles(key);
  const nodes: Uint8Array[] = [];
  let node: TrieNode | undefined = { kind: "hash", hash: root };
  let at = 0;
  while (node !== undefined) {
    const stored = node.kind === "hash";
    const resolved = resolveNode(node, load);
    if (stored && resolved.encoded !== undefined) nodes.push(resolved.encoded);
    if (resolved.kind === "branch") {
      if (at === path.length) return { nodes, value: resolved.value };
      node = resolved.children[path[at] as number];
      at++;
      continue;
    }
    const rest = path.subarray(at);
    if (resolved.kind === "leaf") {
      return { nodes, value: equalsBytes(resolved.path, rest) ? resolved.value : undefined };
    }
    const n = resolved.path.length;
    if (rest.length < n || !equalsBytes(resolved.path, rest.subarray(0, n))) {
      return { nodes, value: undefined };
    }
    node = resolved.child;
    at += n;
  }
  return { nodes, value: undefined };
}
