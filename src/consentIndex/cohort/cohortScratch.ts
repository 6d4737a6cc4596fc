import { allocateShared } from "../sharedMemory.ts";
import { SUBJECT_WORDS } from "../subjectKey.ts";
import { COHORT_LEAF_SIZE, HASH_BYTES } from "./cohortSnapshot.ts";
import { COHORT_BUCKETS } from "./cohortSort.ts";
import type { CohortBuffers } from "./cohortTask.ts";
import { cohortTreeLayout } from "./cohortTree.ts";

/** The working arrays of {@link CohortBuffers} (everything but the table and the input). */
export type CohortWorkArrays = Omit<CohortBuffers, "rows" | "words" | "invalid">;

/**
 * Reusable working memory of cohort filters, in shared memory so worker threads can use it.
 * Reused because fresh memory is expensive to touch: on the benchmark VM, writing 120 MB of
 * newly allocated pages took 350–500 ms against ~20 ms for the same pages again (every
 * first touch of a page faults). Grown to the largest cohort seen, ~8.5 bytes per entry
 * (pairs, tree) plus 1/8 per task (each commit task's bitset), +32 per entry for a string
 * cohort's parsed keys or a copied unshared input; never shrunk.
 *
 * One filter uses it at a time; the index hands a private one to a filter that starts while
 * another holds it.
 *
 * @example
 * ```ts
 * const scratch = new CohortScratch();
 * const buffers = { rows, words, invalid: null, ...scratch.work(count, 2) };
 * ```
 */
export class CohortScratch {
  #entries = -1;
  #tasks = 0;
  #work: CohortWorkArrays | undefined;
  #keys = new Uint32Array(allocateShared(0));
  #invalid = new Uint8Array(allocateShared(0));
  /** Set by the index while a filter uses this scratch. */
  busy = false;

  /** Bytes held. */
  get byteLength(): number {
    const w = this.#work;
    const work =
      w === undefined
        ? 0
        : w.pairs.byteLength +
          w.counts.byteLength +
          w.starts.byteLength +
          w.bits.byteLength +
          w.tree.byteLength;
    return work + this.#keys.byteLength + this.#invalid.byteLength;
  }

  /** Working arrays for a cohort of `entries` entries cut into up to `tasks` tasks. */
  work(entries: number, tasks: number): CohortWorkArrays {
    if (this.#work === undefined || entries > this.#entries || tasks > this.#tasks) {
      const n = Math.max(entries, this.#entries);
      const t = Math.max(tasks, this.#tasks);
      const treeHashes = cohortTreeLayout(Math.ceil(n / COHORT_LEAF_SIZE)).total;
      this.#work = {
        pairs: new Uint32Array(allocateShared(8 * n)),
        counts: new Uint32Array(allocateShared(4 * COHORT_BUCKETS * t)),
        starts: new Uint32Array(allocateShared(4 * (COHORT_BUCKETS + 1))),
        bits: new Uint32Array(allocateShared(4 * t * Math.ceil(n / 32))),
        tree: new Uint8Array(allocateShared(HASH_BYTES * treeHashes)),
      };
      this.#entries = n;
      this.#tasks = t;
    }
    return this.#work;
  }

  /** Room for `entries` pseudonyms (8 words each). */
  keys(entries: number): Uint32Array {
    if (this.#keys.length < entries * SUBJECT_WORDS) {
      this.#keys = new Uint32Array(allocateShared(4 * SUBJECT_WORDS * entries));
    }
    return this.#keys;
  }

  /** Room for `entries` malformed-entry flags. */
  invalid(entries: number): Uint8Array {
    if (this.#invalid.length < entries) this.#invalid = new Uint8Array(allocateShared(entries));
    return this.#invalid;
  }
}
