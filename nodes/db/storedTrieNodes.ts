import { equalsBytes } from "@ethereumjs/util";
import { EMPTY_TRIE_ROOT, resolveNode } from "./createTrieUpdate.ts";
import type { LoadNode, TrieNode } from "./trieNode.ts";

/**
 * The hash of every stored node of the trie at `root` (the root first; nodes embedded in
 * their parent are not stored and not listed): what pruning deletes when a whole storage
 * trie goes (an account deleted or its storage cleared).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node is not stored.
 * @example
 * ```ts
 * for (const hash of storedTrieNodes(storageRoot, load)) db.drop(stateNodeKey(owner, hash));
 * ```
 */
export function* storedTrieNodes(root: Uint8Array, load: LoadNode): Generator<Uint8Array> {
  if (equalsBytes(root, EMPTY_TRIE_ROOT)) return;
  const stack: TrieNode[] = [{ kind: "hash", hash: root }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.kind === "hash") yield node.hash;
    const resolved = resolveNode(node, load);
    if (resolved.kind === "extension") stack.push(resolved.child);
    else if (resolved.kind === "branch") {
      for (const child of resolved.children) if (child !== undefined) stack.push(child);
    }
  }
}
