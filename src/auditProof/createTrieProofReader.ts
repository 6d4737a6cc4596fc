import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "./hexBytes.ts";
import type { Keccak256 } from "./Keccak256.ts";
import type { FailLink } from "./proofInvalid.ts";
import { decodeRlp, encodeRlp, type RlpItem } from "./rlp.ts";

/** Reads keys of one Merkle-Patricia trie from a set of its nodes. */
export interface TrieProofReader {
  /**
   * The value at `key`, or undefined when the nodes prove the trie holds no such key.
   * Fails (through the reader's `fail`) when a node on the path is missing or malformed.
   */
  get(key: Uint8Array): Uint8Array | undefined;
  /** How many of the given nodes no `get` has walked through so far. */
  unused(): number;
}

interface StoredNode {
  readonly node: readonly RlpItem[];
  used: boolean;
}

function nibblesOf(key: Uint8Array): number[] {
  const out: number[] = [];
  for (const byte of key) out.push(byte >> 4, byte & 15);
  return out;
}

/** The path of a leaf or extension node (hex-prefix encoding) and whether it is a leaf. */
function hexPrefix(path: Uint8Array, fail: FailLink): { leaf: boolean; nibbles: number[] } {
  if (path.length === 0) return fail("a leaf or extension node has an empty path");
  const flag = (path[0] as number) >> 4;
  if (flag > 3) return fail(`a node path has the prefix flag ${flag}, not 0 to 3`);
  const odd = flag % 2 === 1;
  if (!odd && ((path[0] as number) & 15) !== 0) {
    return fail("an even node path has a non-zero padding nibble");
  }
  const nibbles = nibblesOf(path).slice(odd ? 1 : 2);
  return { leaf: flag >= 2, nibbles };
}

function startsWith(key: readonly number[], at: number, path: readonly number[]): boolean {
  if (at + path.length > key.length) return false;
  return path.every((nibble, i) => key[at + i] === nibble);
}

/**
 * A reader of the trie whose root hash is `root`, over `nodes` (RLP-encoded trie nodes in
 * any order, as `eth_getProof` lists them: the nodes a parent references by keccak-256
 * hash; nodes shorter than 32 bytes sit inside their parent). Every node is hashed once and
 * found by its hash, so one set of nodes proves many keys (a multiproof). Strict: a node
 * given twice, a child reference that is neither empty, a 32-byte hash nor an embedded node
 * under 32 bytes, or a malformed hex-prefix path fails.
 *
 * @param fail throws the error of the link the trie proves (receiptsRoot, transactionsRoot).
 * @param keccak256 the hash (default noble's).
 * @example
 * ```ts
 * const receipts = createTrieProofReader(header.receiptsRoot, nodes, failAt("receiptsRoot", place));
 * const receipt = receipts.get(encodeRlp(new Uint8Array(0))); // the first receipt
 * ```
 */
export function createTrieProofReader(
  root: Uint8Array,
  nodes: readonly Uint8Array[],
  fail: FailLink,
  keccak256: Keccak256 = keccak_256,
): TrieProofReader {
  const byHash = new Map<string, StoredNode>();
  for (const [index, bytes] of nodes.entries()) {
    const hash = bytesToHex(keccak256(bytes));
    if (byHash.has(hash)) fail(`node ${index} is listed twice`, { node: index });
    const node = decodeRlp(bytes);
    if (typeof node === "string") fail(`node ${index} is not RLP: ${node}`, { node: index });
    if (node instanceof Uint8Array) fail(`node ${index} is not a list`, { node: index });
    byHash.set(hash, { node: node as readonly RlpItem[], used: false });
  }

  const resolve = (reference: RlpItem): readonly RlpItem[] => {
    if (!(reference instanceof Uint8Array)) {
      if (encodeRlp(reference).length >= 32) {
        fail("an embedded node is 32 bytes or longer (it must be referenced by hash)");
      }
      return reference;
    }
    if (reference.length !== 32) {
      return fail(`a child reference is ${reference.length} bytes, not a 32-byte hash`);
    }
    const hash = bytesToHex(reference);
    const stored = byHash.get(hash);
    if (stored === undefined) return fail(`the node with hash ${hash} is missing`, { hash });
    stored.used = true;
    return stored.node;
  };

  return {
    get(key) {
      const nibbles = nibblesOf(key);
      let reference: RlpItem = root;
      let at = 0;
      for (;;) {
        const node = resolve(reference);
        if (node.length === 17) {
          if (at === nibbles.length) {
            const value = node[16] as RlpItem;
            if (!(value instanceof Uint8Array)) return fail("a branch value is a list");
            return value.length === 0 ? undefined : value;
          }
          const child = node[nibbles[at] as number] as RlpItem;
          at += 1;
          if (child instanceof Uint8Array && child.length === 0) return undefined;
          reference = child;
          continue;
        }
        if (node.length !== 2) {
          return fail(`a node has ${node.length} items, not 17 (branch) or 2 (leaf, extension)`);
        }
        const [path, next] = node as [RlpItem, RlpItem];
        if (!(path instanceof Uint8Array)) return fail("a node path is a list");
        const { leaf, nibbles: segment } = hexPrefix(path, fail);
        if (leaf) {
          if (!(next instanceof Uint8Array)) return fail("a leaf value is a list");
          const matches =
            at + segment.length === nibbles.length && startsWith(nibbles, at, segment);
          return matches ? next : undefined;
        }
        if (segment.length === 0) return fail("an extension node has an empty path");
        if (!startsWith(nibbles, at, segment)) return undefined;
        if (next instanceof Uint8Array && next.length === 0) {
          return fail("an extension node has no child");
        }
        at += segment.length;
        reference = next;
      }
    },
    unused() {
      let count = 0;
      for (const stored of byHash.values()) if (!stored.used) count += 1;
      return count;
    },
  };
}

/**
 * The trie key of the `index`-th transaction or receipt of a block: rlp(index).
 *
 * @example
 * ```ts
 * trieIndexKey(0); // 0x80
 * trieIndexKey(128); // 0x8180
 * ```
 */
export function trieIndexKey(index: number): Uint8Array {
  const digits: number[] = [];
  for (let v = index; v > 0; v = Math.floor(v / 256)) digits.unshift(v % 256);
  return encodeRlp(Uint8Array.from(digits));
}
