import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import {
  branchNode,
  decodeTrieNode,
  encodeTrieNode,
  extensionNode,
  keyNibbles,
  type LoadNode,
  leafNode,
  type ResolvedNode,
  type StoreNode,
  type TrieNode,
} from "./trieNode.ts";

/** keccak256 of RLP(""): the root of an empty trie. */
export const EMPTY_TRIE_ROOT: Uint8Array = Uint8Array.from(
  Buffer.from("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "hex"),
);

/** Options of {@link createTrieUpdate}. */
export interface TrieUpdateOptions {
  /** Root of the trie to change (EMPTY_TRIE_ROOT for an empty trie). */
  readonly root: Uint8Array;
  /** Reads a stored node by hash. */
  readonly load: LoadNode;
  /** The chain's keccak256. */
  readonly keccak: (data: Uint8Array) => Uint8Array;
}

/** A stored node: its hash (the storage key) and RLP. */
export interface TrieNodeWrite {
  readonly hash: Uint8Array;
  readonly encoded: Uint8Array;
}

/** A batch of changes to one trie, hashed once by {@link TrieUpdate.commit}. */
export interface TrieUpdate {
  /** Sets `key` (raw bytes: the caller hashes keys of a secure trie) to a non-empty value. */
  put(key: Uint8Array, value: Uint8Array): void;
  /** Removes `key` (nothing happens if it is absent). */
  del(key: Uint8Array): void;
  /**
   * Hashes the changed nodes (each once) and returns the new root, every node to store, and
   * the hashes of the stored nodes this update loaded that the new root no longer references
   * (`dropped`: what pruning deletes). The update can continue afterwards; a later commit
   * returns only what changed since.
   */
  commit(): { root: Uint8Array; nodes: TrieNodeWrite[]; dropped: Uint8Array[] };
}

function missing(hash: Uint8Array): CustosError {
  return new CustosError("STATE_NOT_AVAILABLE", `trie node ${bytesToHex(hash)} is not stored`, {
    details: { node: bytesToHex(hash) },
  });
}

/** Resolves a hash reference by loading and decoding the node (once: the caller keeps it). */
export function resolveNode(node: TrieNode, load: LoadNode): ResolvedNode {
  if (node.kind !== "hash") return node;
  const encoded = load(node.hash);
  if (encoded === undefined) throw missing(node.hash);
  return decodeTrieNode(encoded, node.hash);
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function concatNibbles(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Adds the hash of every stored node in the in-memory part of the trie below `node` (an
 * unresolved reference was never loaded, so it cannot have been dropped).
 */
function reachedHashes(node: TrieNode | undefined, into: Map<string, Uint8Array>): void {
  if (node === undefined || node.kind === "hash") return;
  if (node.hash !== undefined) into.set(bytesToHex(node.hash), node.hash);
  if (node.kind === "extension") reachedHashes(node.child, into);
  else if (node.kind === "branch") for (const child of node.children) reachedHashes(child, into);
}

/** True when the node has changed since it was loaded or last encoded. */
function changed(node: ResolvedNode): boolean {
  return node.encoded === undefined;
}

function touch(node: ResolvedNode): void {
  node.encoded = undefined;
  node.hash = undefined;
}

/**
 * Starts a batch of changes to the Merkle-Patricia trie at `root`. Changes are applied to an
 * in-memory copy of the touched part of the trie: each stored node on a changed path is
 * loaded and decoded once, however many keys below it change, and `commit` encodes and hashes
 * each changed node once. EthereumJS's trie instead walks from the root, re-encodes and
 * re-hashes the whole path, and stores every intermediate version of every node, on EVERY
 * put. The root depends only on the final key/value set, so it equals what sequential puts
 * and deletes give (property-tested against EthereumJS).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node on a changed path is not stored.
 * @example
 * ```ts
 * const update = createTrieUpdate({ root, load, keccak });
 * update.put(keccak(slot), RLP.encode(value));
 * const { root: newRoot, nodes } = update.commit();
 * ```
 */
export function createTrieUpdate(options: TrieUpdateOptions): TrieUpdate {
  const { keccak } = options;
  // Every stored node the update loaded, by hex hash: those the new root does not reach are
  // dropped. Storage tries key by hashed keys, so a trie never holds the same node twice.
  let loaded = new Map<string, Uint8Array>();
  const load: LoadNode = (hash) => {
    const encoded = options.load(hash);
    if (encoded !== undefined) loaded.set(bytesToHex(hash), hash);
    return encoded;
  };
  let root: TrieNode | undefined = equalsBytes(options.root, EMPTY_TRIE_ROOT)
    ? undefined
    : { kind: "hash", hash: options.root };
  let rootHash = options.root;

  function insert(node: TrieNode | undefined, path: Uint8Array, value: Uint8Array): ResolvedNode {
    if (node === undefined) return leafNode(path, value);
    const resolved = resolveNode(node, load);
    if (resolved.kind === "leaf") {
      const n = commonPrefix(resolved.path, path);
      if (n === resolved.path.length && n === path.length) {
        return equalsBytes(resolved.value, value) ? resolved : leafNode(path, value);
      }
      const branch = branchNode();
      if (n === resolved.path.length) branch.value = resolved.value;
      else {
        branch.children[resolved.path[n] as number] = leafNode(
          resolved.path.subarray(n + 1),
          resolved.value,
        );
      }
      if (n === path.length) branch.value = value;
      else branch.children[path[n] as number] = leafNode(path.subarray(n + 1), value);
      return n > 0 ? extensionNode(path.subarray(0, n), branch) : branch;
    }
    if (resolved.kind === "extension") {
      const n = commonPrefix(resolved.path, path);
      if (n === resolved.path.length) {
        const child = resolveNode(resolved.child, load);
        resolved.child = child;
        const updated = insert(child, path.subarray(n), value);
        if (updated === child && !changed(updated)) return resolved;
        resolved.child = updated;
        touch(resolved);
        return resolved;
      }
      const branch = branchNode();
      const rest = resolved.path.subarray(n + 1);
      branch.children[resolved.path[n] as number] =
        rest.length > 0 ? extensionNode(rest, resolved.child) : resolved.child;
      if (n === path.length) branch.value = value;
      else branch.children[path[n] as number] = leafNode(path.subarray(n + 1), value);
      return n > 0 ? extensionNode(path.subarray(0, n), branch) : branch;
    }
    if (path.length === 0) {
      if (resolved.value !== undefined && equalsBytes(resolved.value, value)) return resolved;
      resolved.value = value;
      touch(resolved);
      return resolved;
    }
    const index = path[0] as number;
    const before = resolved.children[index];
    const child = before === undefined ? undefined : resolveNode(before, load);
    const updated = insert(child, path.subarray(1), value);
    resolved.children[index] = updated;
    if (updated !== child || changed(updated)) touch(resolved);
    return resolved;
  }

  /** `prefix` followed by `node`'s own path: how a collapsed branch's last child moves up. */
  function joined(prefix: Uint8Array, node: ResolvedNode): ResolvedNode {
    if (node.kind === "leaf") return leafNode(concatNibbles(prefix, node.path), node.value);
    if (node.kind === "extension") {
      return extensionNode(concatNibbles(prefix, node.path), node.child);
    }
    return extensionNode(prefix, node);
  }

  function remove(node: TrieNode | undefined, path: Uint8Array): ResolvedNode | undefined {
    if (node === undefined) return undefined;
    const resolved = resolveNode(node, load);
    if (resolved.kind === "leaf") {
      return equalsBytes(resolved.path, path) ? undefined : resolved;
    }
    if (resolved.kind === "extension") {
      const n = resolved.path.length;
      if (path.length < n || commonPrefix(resolved.path, path) !== n) return resolved;
      const child = resolveNode(resolved.child, load);
      resolved.child = child;
      const updated = remove(child, path.subarray(n));
      if (updated === child && !changed(updated)) return resolved;
      // A branch below an extension keeps at least one entry, so `updated` exists.
      if (updated === undefined) return undefined;
      if (updated.kind === "branch") {
        resolved.child = updated;
        touch(resolved);
        return resolved;
      }
      return joined(resolved.path, updated);
    }
    if (path.length === 0) {
      if (resolved.value === undefined) return resolved;
      resolved.value = undefined;
    } else {
      const index = path[0] as number;
      const before = resolved.children[index];
      if (before === undefined) return resolved;
      const child = resolveNode(before, load);
      const updated = remove(child, path.subarray(1));
      resolved.children[index] = updated;
      if (updated === child && updated !== undefined && !changed(updated)) return resolved;
    }
    touch(resolved);
    // A branch left with one entry collapses into it.
    let only = -1;
    let count = resolved.value === undefined ? 0 : 1;
    for (let i = 0; i < 16 && count < 2; i++) {
      if (resolved.children[i] !== undefined) {
        only = i;
        count++;
      }
    }
    if (count >= 2) return resolved;
    if (count === 0) return undefined;
    if (only === -1) return leafNode(new Uint8Array(0), resolved.value as Uint8Array);
    const last = resolveNode(resolved.children[only] as TrieNode, load);
    return joined(Uint8Array.of(only), last);
  }

  return {
    put(key, value) {
      if (value.length === 0) {
        this.del(key);
        return;
      }
      root = insert(root, keyNibbles(key), value);
    },
    del(key) {
      root = remove(root, keyNibbles(key));
    },
    commit() {
      const nodes: TrieNodeWrite[] = [];
      const store: StoreNode = (hash, encoded) => nodes.push({ hash, encoded });
      const finish = () => {
        const reached = new Map<string, Uint8Array>();
        reachedHashes(root, reached);
        const dropped: Uint8Array[] = [];
        for (const [key, hash] of loaded) if (!reached.has(key)) dropped.push(hash);
        loaded = reached;
        return { root: rootHash, nodes, dropped };
      };
      if (root === undefined) {
        rootHash = EMPTY_TRIE_ROOT;
      } else if (root.kind !== "hash") {
        const encoded = encodeTrieNode(root, keccak, store);
        // The root is stored under its hash even when shorter than 32 bytes.
        if (root.hash === undefined) {
          root.hash = keccak(encoded);
          store(root.hash, encoded);
        }
        rootHash = root.hash;
      }
      return finish();
    },
  };
}
