import { CustosError } from "../../errors/index.ts";
import { sortDistinctSubjects } from "../sortDistinctSubjects.ts";
import {
  bytesToHex,
  compareSubjects,
  hexToBytes,
  parseSubjectInto,
  SUBJECT_BYTES,
  SUBJECT_WORDS,
  type SubjectInput,
  subjectsAsWords,
} from "../subjectKey.ts";
import { sha256 } from "./sha256.ts";

/** A 32-byte hash function (the port behind cohort commitments); SHA-256 by default. */
export type HashPort = (data: Uint8Array) => Uint8Array;

/**
 * Pseudonyms per Merkle leaf. Part of the commitment format: changing it changes every root.
 * 128 × 32 bytes = 4 KiB per leaf keeps node:crypto at ~1.5 GB/s (per-call overhead
 * amortised) while an inclusion proof stays ~4 KiB plus log2(n/128) siblings.
 */
export const COHORT_LEAF_SIZE = 128;

/** First byte hashed before a leaf's pseudonyms (domain separation from nodes and roots). */
export const LEAF_TAG = 0;
/** First byte hashed before an inner node's two children. */
export const NODE_TAG = 1;
const ROOT_TAG = 2;
/** Bytes of one tree hash. */
export const HASH_BYTES = 32;

/** A commitment to the set of subjects a cohort filter allowed. */
export interface CohortSnapshot {
  /** Block the index was last marked synced at (null: never synced, nothing allowed). */
  readonly blockNumber: number | null;
  /** Merkle root over the sorted distinct allowed pseudonyms (0x hex, 32 bytes). */
  readonly root: `0x${string}`;
  /** Number of distinct allowed pseudonyms. */
  readonly count: number;
}

/** Proof that one pseudonym belongs to a committed set; plain JSON. */
export interface CohortInclusionProof {
  /** Size of the committed set. */
  readonly count: number;
  /** Index of the leaf holding the pseudonym. */
  readonly leafIndex: number;
  /** The leaf: its sorted pseudonyms concatenated, 0x hex. */
  readonly leaf: `0x${string}`;
  /** Sibling hashes from the leaf level up (levels where the node had no sibling are skipped). */
  readonly siblings: readonly `0x${string}`[];
}

/** A committed set with its tree kept for proving membership. */
export interface CohortTree {
  /** Merkle root (0x hex). */
  readonly root: `0x${string}`;
  /** Number of distinct members. */
  readonly count: number;
  /** An inclusion proof for `subject`, or undefined if it is not a member. */
  prove(subject: SubjectInput): CohortInclusionProof | undefined;
}

/** Options of the commitment functions. */
export interface CohortHashOptions {
  /** Hash port; must be SHA-256 for roots to match other parties'. */
  readonly hash?: HashPort;
}

/** Streams sorted pseudonyms into leaves of {@link COHORT_LEAF_SIZE}, hashing each when full. */
class LeafHasher {
  readonly #hash: HashPort;
  // 4 bytes of header keep the key words aligned; the leaf tag is byte 3.
  readonly #buffer = new Uint8Array(4 + COHORT_LEAF_SIZE * SUBJECT_BYTES);
  readonly #words = new Uint32Array(this.#buffer.buffer, 4, COHORT_LEAF_SIZE * SUBJECT_WORDS);
  #fill = 0;
  #leaves = new Uint8Array(HASH_BYTES * 64);
  #leafCount = 0;
  count = 0;

  constructor(hash: HashPort) {
    this.#hash = hash;
    this.#buffer[3] = LEAF_TAG;
  }

  push(words: Uint32Array, n: number): void {
    let i = 0;
    while (i < n) {
      const take = Math.min(COHORT_LEAF_SIZE - this.#fill, n - i);
      this.#words.set(
        words.subarray(i * SUBJECT_WORDS, (i + take) * SUBJECT_WORDS),
        this.#fill * SUBJECT_WORDS,
      );
      this.#fill += take;
      i += take;
      if (this.#fill === COHORT_LEAF_SIZE) this.#flush();
    }
    this.count += n;
  }

  finish(): Uint8Array {
    if (this.#fill > 0) this.#flush();
    return this.#leaves.subarray(0, this.#leafCount * HASH_BYTES);
  }

  #flush(): void {
    const digest = digestOf(this.#hash, this.#buffer.subarray(3, 4 + this.#fill * SUBJECT_BYTES));
    if ((this.#leafCount + 1) * HASH_BYTES > this.#leaves.length) {
      const grown = new Uint8Array(this.#leaves.length * 2);
      grown.set(this.#leaves);
      this.#leaves = grown;
    }
    this.#leaves.set(digest, this.#leafCount * HASH_BYTES);
    this.#leafCount++;
    this.#fill = 0;
  }
}

/**
 * `hash(data)`, checked to be 32 bytes.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port returns anything else.
 * @example
 * ```ts
 * const digest = digestOf(sha256, leafBytes);
 * ```
 */
export function digestOf(hash: HashPort, data: Uint8Array): Uint8Array {
  const digest = hash(data);
  if (!(digest instanceof Uint8Array) || digest.length !== HASH_BYTES) {
    throw new CustosError("INVALID_ARGUMENT", "hash port must return 32 bytes", {
      details: { field: "hash" },
    });
  }
  return digest;
}

/**
 * Inner node hash `H(0x01 ‖ left ‖ right)`.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * const parent = nodeHash(sha256, left, right);
 * ```
 */
function nodeHash(hash: HashPort, left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + 2 * HASH_BYTES);
  input[0] = NODE_TAG;
  input.set(left, 1);
  input.set(right, 1 + HASH_BYTES);
  return digestOf(hash, input);
}

/** Tree levels bottom-up; an odd last node is carried up unchanged. */
function buildLevels(leaves: Uint8Array, hash: HashPort): Uint8Array[] {
  const levels = [leaves];
  let level = leaves;
  while (level.length > HASH_BYTES) {
    const n = level.length / HASH_BYTES;
    const up = new Uint8Array(Math.ceil(n / 2) * HASH_BYTES);
    for (let i = 0; i + 1 < n; i += 2) {
      const pair = level.subarray(i * HASH_BYTES, (i + 2) * HASH_BYTES);
      up.set(
        nodeHash(hash, pair.subarray(0, HASH_BYTES), pair.subarray(HASH_BYTES)),
        (i / 2) * HASH_BYTES,
      );
    }
    if (n % 2 === 1) up.set(level.subarray((n - 1) * HASH_BYTES), ((n - 1) / 2) * HASH_BYTES);
    levels.push(up);
    level = up;
  }
  return levels;
}

/**
 * The published root binds the set size: `H(0x02 ‖ uint64be count ‖ tree root or 32 zero
 * bytes)`; `top` is the tree's top node (undefined for the empty set).
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * commit(0, undefined, sha256); // the root of the empty set
 * ```
 */
export function commit(count: number, top: Uint8Array | undefined, hash: HashPort): `0x${string}` {
  const input = new Uint8Array(1 + 8 + HASH_BYTES);
  input[0] = ROOT_TAG;
  const view = new DataView(input.buffer);
  view.setUint32(1, Math.floor(count / 2 ** 32));
  view.setUint32(5, count >>> 0);
  if (top !== undefined) input.set(top, 9);
  return bytesToHex(digestOf(hash, input));
}

function membersAsWords(members: Uint8Array | readonly SubjectInput[]): Uint32Array {
  if (members instanceof Uint8Array) {
    if (members.length % SUBJECT_BYTES !== 0) {
      throw new CustosError("INVALID_ARGUMENT", "members must be n×32 bytes", {
        details: { field: "members", length: members.length },
      });
    }
    return subjectsAsWords(members);
  }
  if (!Array.isArray(members)) {
    throw new CustosError("INVALID_ARGUMENT", "members must be a Uint8Array or an array", {
      details: { field: "members" },
    });
  }
  const words = new Uint32Array(members.length * SUBJECT_WORDS);
  members.forEach((member, i) => {
    if (!parseSubjectInto(member, words, i * SUBJECT_WORDS)) {
      throw new CustosError("INVALID_ARGUMENT", "member is not a bytes32 pseudonym", {
        details: { field: `members[${i}]` },
      });
    }
  });
  return words;
}

/**
 * Commits to a set of pseudonyms (any order, duplicates ignored) and keeps the tree to prove
 * membership. The root equals `filterCohort(...).snapshot.root` for the same allowed set.
 *
 * @throws CustosError `INVALID_ARGUMENT` if `members` is not n×32 bytes or an entry is not a
 *   pseudonym.
 * @example
 * ```ts
 * const tree = buildCohortTree(allowedSubjects);
 * const proof = tree.prove(allowedSubjects[0]);
 * verifyInclusion(tree.root, allowedSubjects[0], proof); // true
 * ```
 */
export function buildCohortTree(
  members: Uint8Array | readonly SubjectInput[],
  options: CohortHashOptions = {},
): CohortTree {
  const hash = options.hash ?? sha256;
  const src = membersAsWords(members);
  const total = src.length / SUBJECT_WORDS;
  const sorted = new Uint32Array(src.length);
  let count = 0;
  const hasher = new LeafHasher(hash);
  sortDistinctSubjects(src, null, total, (words, n) => {
    sorted.set(words.subarray(0, n * SUBJECT_WORDS), count * SUBJECT_WORDS);
    count += n;
    hasher.push(words, n);
  });
  return treeOver(sorted, count, hasher, hash);
}

/**
 * {@link buildCohortTree} for members already in ascending byte order without duplicates
 * (a sorted roster filtered in order, as a data service keeps them): the same root and
 * proofs, without the sort, which is most of the cost. The tree reads `members` when it
 * proves: do not change them while it is in use.
 *
 * @throws CustosError `INVALID_ARGUMENT` if `members` is not n×32 bytes, strictly ascending.
 * @example
 * ```ts
 * const tree = buildSortedCohortTree(sortedMembers);
 * tree.root === buildCohortTree(sortedMembers).root; // true
 * ```
 */
export function buildSortedCohortTree(
  members: Uint8Array,
  options: CohortHashOptions = {},
): CohortTree {
  const hash = options.hash ?? sha256;
  const words = membersAsWords(members);
  const count = words.length / SUBJECT_WORDS;
  for (let i = 1; i < count; i++) {
    if (compareSubjects(words, (i - 1) * SUBJECT_WORDS, words, i * SUBJECT_WORDS) >= 0) {
      throw new CustosError("INVALID_ARGUMENT", "members must be strictly ascending", {
        details: { field: `members[${i}]` },
      });
    }
  }
  const hasher = new LeafHasher(hash);
  hasher.push(words, count);
  return treeOver(words, count, hasher, hash);
}

/** The tree over `count` sorted distinct members (`sorted`), whose leaves `hasher` holds. */
function treeOver(
  sorted: Uint32Array,
  count: number,
  hasher: LeafHasher,
  hash: HashPort,
): CohortTree {
  const levels = buildLevels(hasher.finish(), hash);
  const root = commit(count, count === 0 ? undefined : levels[levels.length - 1], hash);
  const probe = new Uint32Array(SUBJECT_WORDS);

  function prove(subject: SubjectInput): CohortInclusionProof | undefined {
    if (!parseSubjectInto(subject, probe, 0)) return undefined;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareSubjects(sorted, mid * SUBJECT_WORDS, probe, 0) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === count || compareSubjects(sorted, lo * SUBJECT_WORDS, probe, 0) !== 0) {
      return undefined;
    }
    const leafIndex = Math.floor(lo / COHORT_LEAF_SIZE);
    const first = leafIndex * COHORT_LEAF_SIZE;
    const last = Math.min(count, first + COHORT_LEAF_SIZE);
    const leafWords = sorted.slice(first * SUBJECT_WORDS, last * SUBJECT_WORDS);
    const siblings: `0x${string}`[] = [];
    let index = leafIndex;
    for (let l = 0; l < levels.length - 1; l++) {
      const level = levels[l] as Uint8Array;
      const sibling = index ^ 1;
      if (sibling < level.length / HASH_BYTES) {
        siblings.push(bytesToHex(level.subarray(sibling * HASH_BYTES, (sibling + 1) * HASH_BYTES)));
      }
      index >>>= 1;
    }
    return { count, leafIndex, leaf: bytesToHex(new Uint8Array(leafWords.buffer)), siblings };
  }

  return { root, count, prove };
}

/**
 * Proves that `subject` is in the set `members` (convenience over {@link buildCohortTree};
 * build the tree once when proving many subjects).
 *
 * @returns the proof, or undefined if `subject` is not a member.
 * @throws CustosError `INVALID_ARGUMENT` as {@link buildCohortTree}.
 * @example
 * ```ts
 * const proof = proveInclusion(allowedSubjects, subject);
 * ```
 */
export function proveInclusion(
  members: Uint8Array | readonly SubjectInput[],
  subject: SubjectInput,
  options: CohortHashOptions = {},
): CohortInclusionProof | undefined {
  return buildCohortTree(members, options).prove(subject);
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks an inclusion proof against a root. Never throws: a malformed proof is a false.
 *
 * @example
 * ```ts
 * if (!verifyInclusion(snapshot.root, subject, proof)) reject();
 * ```
 */
export function verifyInclusion(
  root: string,
  subject: SubjectInput,
  proof: CohortInclusionProof,
  options: CohortHashOptions = {},
): boolean {
  try {
    const hash = options.hash ?? sha256;
    const probe = new Uint32Array(SUBJECT_WORDS);
    if (!parseSubjectInto(subject, probe, 0)) return false;
    if (typeof proof !== "object" || proof === null) return false;
    const { count, leafIndex, siblings } = proof;
    if (!isIndex(count) || count === 0 || !isIndex(leafIndex) || !Array.isArray(siblings)) {
      return false;
    }
    const leafCount = Math.ceil(count / COHORT_LEAF_SIZE);
    if (leafIndex >= leafCount) return false;
    const expected =
      leafIndex === leafCount - 1 ? count - leafIndex * COHORT_LEAF_SIZE : COHORT_LEAF_SIZE;
    const leafBytes = hexToBytes(proof.leaf);
    if (leafBytes === undefined || leafBytes.length !== expected * SUBJECT_BYTES) return false;
    const leafWords = new Uint32Array(leafBytes.buffer);
    let member = false;
    for (let i = 0; i < expected; i++) {
      const o = i * SUBJECT_WORDS;
      if (i > 0 && compareSubjects(leafWords, o - SUBJECT_WORDS, leafWords, o) >= 0) return false;
      if (compareSubjects(leafWords, o, probe, 0) === 0) member = true;
    }
    if (!member) return false;
    const input = new Uint8Array(1 + leafBytes.length);
    input[0] = LEAF_TAG;
    input.set(leafBytes, 1);
    let node = digestOf(hash, input);
    let index = leafIndex;
    let width = leafCount;
    let used = 0;
    while (width > 1) {
      if ((index ^ 1) < width) {
        const sibling = hexToBytes(siblings[used]);
        used++;
        if (sibling === undefined || sibling.length !== HASH_BYTES) return false;
        node = index % 2 === 0 ? nodeHash(hash, node, sibling) : nodeHash(hash, sibling, node);
      }
      index >>>= 1;
      width = Math.ceil(width / 2);
    }
    return used === siblings.length && commit(count, node, hash) === root.toLowerCase();
  } catch {
    return false;
  }
}
