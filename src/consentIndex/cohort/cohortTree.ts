import { ROW_WORDS } from "../SubjectTable.ts";
import { SUBJECT_BYTES, SUBJECT_WORDS } from "../subjectKey.ts";
import {
  COHORT_LEAF_SIZE,
  digestOf,
  HASH_BYTES,
  type HashPort,
  LEAF_TAG,
  NODE_TAG,
} from "./cohortSnapshot.ts";

/**
 * Level sizes of the commitment tree over `leaves` leaves, bottom-up (`[leaves, ⌈leaves/2⌉,
 * …, 1]`; empty for no leaves), and where each level starts in a tree buffer, in hashes.
 */
export interface CohortTreeLayout {
  readonly sizes: readonly number[];
  readonly offsets: readonly number[];
  /** Hashes in the whole tree. */
  readonly total: number;
}

/**
 * The layout of a tree buffer holding every level of the commitment tree (same shape as
 * `buildCohortTree`: pairs hashed, an odd last node carried up unchanged).
 *
 * @example
 * ```ts
 * cohortTreeLayout(5); // sizes [5, 3, 2, 1], offsets [0, 5, 8, 10], total 11
 * ```
 */
export function cohortTreeLayout(leaves: number): CohortTreeLayout {
  const sizes: number[] = [];
  const offsets: number[] = [];
  let total = 0;
  for (let n = leaves; n > 0; n = n === 1 ? 0 : Math.ceil(n / 2)) {
    sizes.push(n);
    offsets.push(total);
    total += n;
  }
  return { sizes, offsets, total };
}

/**
 * Where the merge left a slice of the distinct allowed pseudonyms: the slots of global
 * distinct indices `[before, before + count)` are `pairs[2 × (first + k) + 1]`.
 */
export interface DistinctSlice {
  readonly first: number;
  readonly before: number;
  readonly count: number;
}

/**
 * Hashes leaves `[leafFrom, leafTo)` of the commitment over the distinct allowed pseudonyms
 * (ascending, `distinct` in all, located by `slices`) into level 0 of `tree`. A leaf's keys
 * are copied from the table rows, so the leaves of any range can be hashed independently.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * hashCohortLeaves(rows, pairs, slices, distinct, 0, Math.ceil(distinct / COHORT_LEAF_SIZE), tree, sha256);
 * ```
 */
export function hashCohortLeaves(
  rows: Uint32Array,
  pairs: Uint32Array,
  slices: readonly DistinctSlice[],
  distinct: number,
  leafFrom: number,
  leafTo: number,
  tree: Uint8Array,
  hash: HashPort,
): void {
  const leaf = new LeafBuffer();
  let r = 0;
  for (let index = leafFrom; index < leafTo; index++) {
    const from = index * COHORT_LEAF_SIZE;
    const to = Math.min(distinct, from + COHORT_LEAF_SIZE);
    for (let g = from; g < to; g++) {
      let slice = slices[r] as DistinctSlice;
      while (g >= slice.before + slice.count) slice = slices[++r] as DistinctSlice;
      leaf.add(rows, (pairs[2 * (slice.first + g - slice.before) + 1] as number) * ROW_WORDS);
    }
    leaf.hashInto(tree, index, hash);
  }
}

/**
 * One leaf being filled: pseudonyms copied in ascending order, then hashed as
 * `H(0x00 ‖ pseudonyms)` into a tree buffer.
 *
 * @example
 * ```ts
 * const leaf = new LeafBuffer();
 * if (leaf.add(rows, slot * ROW_WORDS) === COHORT_LEAF_SIZE) leaf.hashInto(tree, 0, sha256);
 * ```
 */
export class LeafBuffer {
  // 4 bytes of header keep the key words aligned; the leaf tag is byte 3.
  readonly #bytes = new Uint8Array(4 + COHORT_LEAF_SIZE * SUBJECT_BYTES);
  readonly #words = new Uint32Array(this.#bytes.buffer, 4, COHORT_LEAF_SIZE * SUBJECT_WORDS);
  /** Pseudonyms in the leaf so far. */
  size = 0;

  constructor() {
    this.#bytes[3] = LEAF_TAG;
  }

  /** Appends the pseudonym in words `[from, from + 8)` of `source`; returns the new size. */
  add(source: Uint32Array, from: number): number {
    const o = this.size * SUBJECT_WORDS;
    for (let w = 0; w < SUBJECT_WORDS; w++) this.#words[o + w] = source[from + w] as number;
    return ++this.size;
  }

  /**
   * Hashes the leaf into slot `index` of level 0 of `tree` and empties it.
   *
   * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
   */
  hashInto(tree: Uint8Array, index: number, hash: HashPort): void {
    const digest = digestOf(hash, this.#bytes.subarray(3, 4 + this.size * SUBJECT_BYTES));
    tree.set(digest, index * HASH_BYTES);
    this.size = 0;
  }
}

/** `0x01 ‖ left ‖ right` of the node being hashed (reused: tasks run one at a time per thread). */
const nodeInput = new Uint8Array(1 + 2 * HASH_BYTES);
nodeInput[0] = NODE_TAG;

function hashNodeAt(
  tree: Uint8Array,
  layout: CohortTreeLayout,
  level: number,
  i: number,
  hash: HashPort,
): void {
  // The two children are adjacent in the level below.
  const left = ((layout.offsets[level - 1] as number) + 2 * i) * HASH_BYTES;
  const at = ((layout.offsets[level] as number) + i) * HASH_BYTES;
  if (2 * i + 1 < (layout.sizes[level - 1] as number)) {
    nodeInput.set(tree.subarray(left, left + 2 * HASH_BYTES), 1);
    tree.set(digestOf(hash, nodeInput), at);
  } else {
    tree.copyWithin(at, left, left + HASH_BYTES);
  }
}

/**
 * Hashes every inner node of the tree whose leaves all lie in `[leafFrom, leafTo)` (level 0
 * already hashed). Run over disjoint leaf ranges, this leaves only the few nodes spanning a
 * range boundary, which {@link completeCohortTree} then fills.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * hashCohortNodes(tree, leaves, 0, leaves, sha256); // the whole tree
 * ```
 */
export function hashCohortNodes(
  tree: Uint8Array,
  leaves: number,
  leafFrom: number,
  leafTo: number,
  hash: HashPort,
): void {
  const layout = cohortTreeLayout(leaves);
  for (let level = 1; level < layout.sizes.length; level++) {
    const span = 2 ** level;
    const to = leafTo === leaves ? (layout.sizes[level] as number) : Math.floor(leafTo / span);
    for (let i = Math.ceil(leafFrom / span); i < to; i++) hashNodeAt(tree, layout, level, i, hash);
  }
}

/**
 * Fills the nodes spanning the leaf-range boundaries `cuts` (leaf indices strictly inside
 * the tree) after {@link hashCohortNodes} ran on each range, and returns the top node
 * (undefined for an empty tree).
 *
 * @throws CustosError `INVALID_ARGUMENT` if the hash port does not return 32 bytes.
 * @example
 * ```ts
 * const top = completeCohortTree(tree, leaves, [half], sha256);
 * ```
 */
export function completeCohortTree(
  tree: Uint8Array,
  leaves: number,
  cuts: readonly number[],
  hash: HashPort,
): Uint8Array | undefined {
  const layout = cohortTreeLayout(leaves);
  for (let level = 1; level < layout.sizes.length; level++) {
    const span = 2 ** level;
    for (const cut of cuts) {
      if (cut % span !== 0) hashNodeAt(tree, layout, level, Math.floor(cut / span), hash);
    }
  }
  const top = layout.offsets[layout.offsets.length - 1];
  return top === undefined ? undefined : tree.slice(top * HASH_BYTES, (top + 1) * HASH_BYTES);
}
