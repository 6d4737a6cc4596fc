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
 * Every key (as bytes; keys have an even number of nibbles, as all state-trie keys do) and
 * value of the trie at `root`, in key order. A generator, so a long walk can be consumed in
 * chunks (between which the caller may await).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node is not stored.
 * @example
 * ```ts
 * for (const [addressHash, accountRlp] of trieEntries(stateRoot, load)) { ... }
 * ```
 */
export function* trieEntries(
  root: Uint8Array,
  load: LoadNode,
): Generator<[key: Uint8Array, value: Uint8Array]> {
  if (equalsBytes(root, EMPTY_TRIE_ROOT)) return;
  // Depth-first with an explicit stack of (node, path so far); children pushed in reverse
  // so that they pop in key order.
  const stack: [TrieNode, Uint8Array][] = [[{ kind: "hash", hash: root }, new Uint8Array(0)]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, prefix] = top;
    const resolved = resolveNode(node, load);
    if (resolved.kind === "leaf") {
      yield [nibblesToBytes(concat(prefix, resolved.path)), resolved.value];
    } else if (resolved.kind === "extension") {
      stack.push([resolved.child, concat(prefix, resolved.path)]);
    } else {
      for (let i = 15; i >= 0; i--) {
        const child = resolved.children[i];
        if (child !== undefined) stack.push([child, concat(prefix, Uint8Array.of(i))]);
      }
      if (resolved.value !== undefined) yield [nibblesToBytes(prefix), resolved.value];
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
