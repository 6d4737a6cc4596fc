/**
 * Merkle-Patricia trie nodes as mutable in-memory objects, and their RLP codec (Ethereum
 * yellow paper, appendix D). Paths are nibble arrays (one 4-bit value per byte).
 *
 * A node loaded from storage or decoded inline keeps its encoding (`encoded`, and `hash` when
 * it was stored under one), so re-hashing a trie touches only the nodes that changed: a
 * changed node has both cleared.
 */
import { CustosError } from "../../src/errors/index.ts";

/** A child stored elsewhere, known only by its hash until it is resolved. */
export interface HashNode {
  readonly kind: "hash";
  readonly hash: Uint8Array;
}

/** A key's tail and its value. */
export interface LeafNode {
  readonly kind: "leaf";
  readonly path: Uint8Array;
  readonly value: Uint8Array;
  encoded: Uint8Array | undefined;
  hash: Uint8Array | undefined;
}

/** A shared path segment leading to one branch. */
export interface ExtensionNode {
  readonly kind: "extension";
  readonly path: Uint8Array;
  child: TrieNode;
  encoded: Uint8Array | undefined;
  hash: Uint8Array | undefined;
}

/** Sixteen children (one per nibble) and the value of the key ending here. */
export interface BranchNode {
  readonly kind: "branch";
  readonly children: (TrieNode | undefined)[];
  value: Uint8Array | undefined;
  encoded: Uint8Array | undefined;
  hash: Uint8Array | undefined;
}

/** Any trie node. */
export type TrieNode = HashNode | LeafNode | ExtensionNode | BranchNode;

/** A node whose contents are in memory. */
export type ResolvedNode = LeafNode | ExtensionNode | BranchNode;

/** Reads a stored node by its hash (undefined when it is not stored). */
export type LoadNode = (hash: Uint8Array) => Uint8Array | undefined;

/** Creates a changed (not yet encoded) leaf. */
export function leafNode(path: Uint8Array, value: Uint8Array): LeafNode {
  return { kind: "leaf", path, value, encoded: undefined, hash: undefined };
}

/** Creates a changed extension. */
export function extensionNode(path: Uint8Array, child: TrieNode): ExtensionNode {
  return { kind: "extension", path, child, encoded: undefined, hash: undefined };
}

/** Creates a changed, empty branch. */
export function branchNode(): BranchNode {
  return {
    kind: "branch",
    children: new Array<TrieNode | undefined>(16).fill(undefined),
    value: undefined,
    encoded: undefined,
    hash: undefined,
  };
}

/**
 * A key as nibbles, high half first.
 *
 * @example
 * ```ts
 * keyNibbles(Uint8Array.of(0xab)); // Uint8Array [10, 11]
 * ```
 */
export function keyNibbles(key: Uint8Array): Uint8Array {
  const nibbles = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    const b = key[i] as number;
    nibbles[2 * i] = b >> 4;
    nibbles[2 * i + 1] = b & 15;
  }
  return nibbles;
}

/** Nibbles back to bytes (an even number of nibbles). */
export function nibblesToBytes(nibbles: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(nibbles.length >> 1);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = ((nibbles[2 * i] as number) << 4) | (nibbles[2 * i + 1] as number);
  }
  return bytes;
}

// ------------------------------------------------------------------ RLP decoding

function corruptNode(bytes: Uint8Array, reason: string): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", `stored trie node cannot be decoded: ${reason}`, {
    details: { keyspace: "state", key: Buffer.from(bytes.subarray(0, 64)).toString("hex") },
  });
}

/** Start of an item's payload, its end, and whether it is a list. */
interface RlpItem {
  start: number;
  end: number;
  list: boolean;
}

function readLength(bytes: Uint8Array, at: number, size: number): number {
  let length = 0;
  for (let i = 0; i < size; i++) length = length * 256 + (bytes[at + i] as number);
  return length;
}

function readItem(bytes: Uint8Array, at: number, item: RlpItem): void {
  const b = bytes[at];
  if (b === undefined) throw corruptNode(bytes, "truncated");
  if (b < 0x80) {
    item.start = at;
    item.end = at + 1;
    item.list = false;
  } else if (b < 0xb8) {
    item.start = at + 1;
    item.end = at + 1 + b - 0x80;
    item.list = false;
  } else if (b < 0xc0) {
    item.start = at + 1 + b - 0xb7;
    item.end = item.start + readLength(bytes, at + 1, b - 0xb7);
    item.list = false;
  } else if (b < 0xf8) {
    item.start = at + 1;
    item.end = at + 1 + b - 0xc0;
    item.list = true;
  } else {
    item.start = at + 1 + b - 0xf7;
    item.end = item.start + readLength(bytes, at + 1, b - 0xf7);
    item.list = true;
  }
  if (item.end > bytes.length) throw corruptNode(bytes, "truncated");
}

/** Where an item (header included) begins, for embedded nodes. */
function headerStart(bytes: Uint8Array, item: RlpItem, at: number): Uint8Array {
  return bytes.subarray(at, item.end);
}

function decodeChild(bytes: Uint8Array, item: RlpItem, at: number): TrieNode | undefined {
  if (item.list) return decodeTrieNode(headerStart(bytes, item, at), undefined);
  const length = item.end - item.start;
  if (length === 0) return undefined;
  if (length !== 32) throw corruptNode(bytes, "child reference is neither a hash nor a node");
  return { kind: "hash", hash: bytes.subarray(item.start, item.end) };
}

/**
 * Decodes a node's RLP. `hash` is the key it was stored under (undefined for a node embedded
 * in its parent); both are kept so an unchanged node is never re-encoded.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a trie node.
 * @example
 * ```ts
 * const node = decodeTrieNode(load(rootHash), rootHash);
 * ```
 */
export function decodeTrieNode(encoded: Uint8Array, hash: Uint8Array | undefined): ResolvedNode {
  const outer: RlpItem = { start: 0, end: 0, list: false };
  readItem(encoded, 0, outer);
  if (!outer.list) throw corruptNode(encoded, "not a list");
  const item: RlpItem = { start: 0, end: 0, list: false };
  const starts: number[] = [];
  const items: RlpItem[] = [];
  for (let at = outer.start; at < outer.end; at = item.end) {
    readItem(encoded, at, item);
    starts.push(at);
    items.push({ start: item.start, end: item.end, list: item.list });
  }
  if (items.length === 17) {
    const branch = branchNode();
    for (let i = 0; i < 16; i++) {
      branch.children[i] = decodeChild(encoded, items[i] as RlpItem, starts[i] as number);
    }
    const value = items[16] as RlpItem;
    if (value.list) throw corruptNode(encoded, "branch value is a list");
    branch.value = value.end > value.start ? encoded.subarray(value.start, value.end) : undefined;
    branch.encoded = encoded;
    branch.hash = hash;
    return branch;
  }
  if (items.length !== 2) throw corruptNode(encoded, `${items.length} items`);
  const key = items[0] as RlpItem;
  if (key.list || key.end === key.start) throw corruptNode(encoded, "bad path");
  const flag = (encoded[key.start] as number) >> 4;
  const odd = (flag & 1) === 1;
  const nibbles = keyNibbles(encoded.subarray(key.start, key.end));
  const path = nibbles.subarray(odd ? 1 : 2);
  const second = items[1] as RlpItem;
  if ((flag & 2) === 2) {
    if (second.list) throw corruptNode(encoded, "leaf value is a list");
    const leaf = leafNode(path, encoded.subarray(second.start, second.end));
    leaf.encoded = encoded;
    leaf.hash = hash;
    return leaf;
  }
  const child = decodeChild(encoded, second, starts[1] as number);
  if (child === undefined) throw corruptNode(encoded, "extension without child");
  const extension = extensionNode(path, child);
  extension.encoded = encoded;
  extension.hash = hash;
  return extension;
}

// ------------------------------------------------------------------ RLP encoding

function stringLength(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n === 1 && (bytes[0] as number) < 0x80) return 1;
  if (n <= 55) return 1 + n;
  return 1 + lengthOfLength(n) + n;
}

function lengthOfLength(n: number): number {
  let size = 0;
  for (let v = n; v > 0; v = Math.floor(v / 256)) size++;
  return size;
}

function writeLength(out: Uint8Array, at: number, n: number, size: number): void {
  for (let i = size - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[at + i] = v & 255;
}

function writeString(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n === 1 && (bytes[0] as number) < 0x80) {
    out[at] = bytes[0] as number;
    return at + 1;
  }
  if (n <= 55) {
    out[at] = 0x80 + n;
    out.set(bytes, at + 1);
    return at + 1 + n;
  }
  const size = lengthOfLength(n);
  out[at] = 0xb7 + size;
  writeLength(out, at + 1, n, size);
  out.set(bytes, at + 1 + size);
  return at + 1 + size + n;
}

function listHeaderLength(payload: number): number {
  return payload <= 55 ? 1 : 1 + lengthOfLength(payload);
}

function writeListHeader(out: Uint8Array, payload: number): number {
  if (payload <= 55) {
    out[0] = 0xc0 + payload;
    return 1;
  }
  const size = lengthOfLength(payload);
  out[0] = 0xf7 + size;
  writeLength(out, 1, payload, size);
  return 1 + size;
}

/** Hex-prefix encoding of a path (appendix C). */
function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length & 1;
  const out = new Uint8Array((path.length >> 1) + 1);
  out[0] = ((leaf ? 2 : 0) + odd) << 4;
  let nibble = 0;
  if (odd === 1) {
    out[0] = (out[0] as number) | (path[0] as number);
    nibble = 1;
  }
  for (let i = 1; i < out.length; i++, nibble += 2) {
    out[i] = ((path[nibble] as number) << 4) | (path[nibble + 1] as number);
  }
  return out;
}

/** Receives every changed node whose encoding is stored under its hash. */
export type StoreNode = (hash: Uint8Array, encoded: Uint8Array) => void;

/** How a node appears inside its parent: inline (< 32 bytes) or as a 32-byte hash. */
function reference(
  node: TrieNode | undefined,
  keccak: (data: Uint8Array) => Uint8Array,
  store: StoreNode,
): Uint8Array | undefined {
  if (node === undefined) return undefined;
  if (node.kind === "hash") return node.hash;
  const encoded = encodeTrieNode(node, keccak, store);
  if (encoded.length < 32) return encoded;
  if (node.hash === undefined) {
    node.hash = keccak(encoded);
    store(node.hash, encoded);
  }
  return node.hash;
}

/** Length of a reference inside the parent's payload. */
function referenceLength(ref: Uint8Array | undefined): number {
  if (ref === undefined) return 1;
  return ref.length === 32 ? 33 : ref.length;
}

function writeReference(out: Uint8Array, at: number, ref: Uint8Array | undefined): number {
  if (ref === undefined) {
    out[at] = 0x80;
    return at + 1;
  }
  if (ref.length === 32) {
    out[at] = 0xa0;
    out.set(ref, at + 1);
    return at + 33;
  }
  out.set(ref, at);
  return at + ref.length;
}

/**
 * The node's RLP, encoding (and storing, through `store`, under their hashes) its changed
 * descendants first. An unchanged node returns its kept encoding.
 *
 * An inline reference is exactly 32 bytes long only if it is a hash: inline nodes are shorter
 * than 32 bytes by definition, so the length tells the two apart.
 *
 * @example
 * ```ts
 * const encoded = encodeTrieNode(root, keccak, (hash, bytes) => writes.push({ hash, bytes }));
 * ```
 */
export function encodeTrieNode(
  node: ResolvedNode,
  keccak: (data: Uint8Array) => Uint8Array,
  store: StoreNode,
): Uint8Array {
  if (node.encoded !== undefined) return node.encoded;
  let encoded: Uint8Array;
  if (node.kind === "branch") {
    const refs: (Uint8Array | undefined)[] = new Array(16);
    let payload = node.value === undefined ? 1 : stringLength(node.value);
    for (let i = 0; i < 16; i++) {
      const ref = reference(node.children[i], keccak, store);
      refs[i] = ref;
      payload += referenceLength(ref);
    }
    encoded = new Uint8Array(listHeaderLength(payload) + payload);
    let at = writeListHeader(encoded, payload);
    for (let i = 0; i < 16; i++) at = writeReference(encoded, at, refs[i]);
    if (node.value === undefined) encoded[at] = 0x80;
    else writeString(encoded, at, node.value);
  } else {
    const path = hexPrefix(node.path, node.kind === "leaf");
    const second =
      node.kind === "leaf"
        ? node.value
        : (reference(node.child, keccak, store) ?? new Uint8Array());
    const secondLength = node.kind === "leaf" ? stringLength(second) : referenceLength(second);
    const payload = stringLength(path) + secondLength;
    encoded = new Uint8Array(listHeaderLength(payload) + payload);
    const at = writeString(encoded, writeListHeader(encoded, payload), path);
    if (node.kind === "leaf") writeString(encoded, at, second);
    else writeReference(encoded, at, second);
  }
  node.encoded = encoded;
  return encoded;
}
