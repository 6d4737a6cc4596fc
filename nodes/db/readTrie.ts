import { equalsBytes } from "@ethereumjs/util";
import { EMPTY_TRIE_ROOT, resolveNode } from "./createTrieUpdate.ts";
import { keyNibbles, type LoadNode, nibblesToBytes, type TrieNode } from "./trieNode.ts";

/**
 * The value stored under `key` (raw bytes: the caller hashes keys of a secure trie) in the
 * trie at `root`, or undefined.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node on the path is not stored.
 * @example
 * ```ts
 * const accountRlp = readTrie(stateRoot, keccak(address), load);
 * ```
 */
export function readTrie(
  root: Uint8Array,
  key: Uint8Array,
  load: LoadNode,
): Uint8Array | undefined {
  if (equalsBytes(root, EMPTY_TRIE_ROOT)) return undefined;
  const path = keyNibbles(key);
  let node: TrieNode | undefined = { kind: "hash", hash: root };
  let at = 0;
  while (node !== undefined) {
    const resolved = resolveNode(node, load);
    if (resolved.kind === "branch") {
      if (at === path.length) return resolved.value;
      node = resolved.children[path[at] as number];
      at++;
    } else {
      const rest = path.subarray(at);
      if (resolved.kind === "leaf")
        return equalsBytes(resolved.path, rest) ? resolved.value : undefined;
      const n = resolved.path.length;
      if (rest.length < n || !equalsBytes(resolved.path, rest.subarray(0, n))) return undefined;
      node = resolved.child;
      at += n;
    }
  }
  return undefined;
}

/**
 * Calls `visit` with every key (as bytes) and value of the trie at `root`, in key order.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node is not stored.
 * @example
 * ```ts
 * walkTrie(stateRoot, load, (addressHash, accountRlp) => { ... });
 * ```
 */
export function walkTrie(
  root: Uint8Array,
  load: LoadNode,
  visit: (key: Uint8Array, value: Uint8Array) => void,
): void {
  if (equalsBytes(root, EMPTY_TRIE_ROOT)) return;
  const prefix: number[] = [];
  const walk = (node: TrieNode) => {
    const resolved = resolveNode(node, load);
    if (resolved.kind === "leaf") {
      visit(nibblesToBytes(Uint8Array.from([...prefix, ...resolved.path])), resolved.value);
      return;
    }
    if (resolved.kind === "extension") {
      prefix.push(...resolved.path);
      walk(resolved.child);
      prefix.length -= resolved.path.length;
      return;
    }
    if (resolved.value !== undefined)
      visit(nibblesToBytes(Uint8Array.from(prefix)), resolved.value);
    for (let i = 0; i < 16; i++) {
      const child = resolved.children[i];
      if (child === undefined) continue;
      prefix.push(i);
      walk(child);
      prefix.pop();
    }
  };
  walk({ kind: "hash", hash: root });
}
