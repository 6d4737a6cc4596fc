import type { DifferencingStore } from "./DifferencingStore.ts";

function equal(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An in-memory {@link DifferencingStore}: per requester, cohorts bucketed by size, so a
 * lookup touches only the 2·radius − 1 sizes that could be near.
 *
 * @example
 * ```ts
 * const store = createInMemoryDifferencingStore();
 * await store.record("researcher-1", Uint32Array.of(1, 2, 3));
 * await store.nearby("researcher-1", 4, 11); // [Uint32Array [1, 2, 3]]
 * ```
 */
export function createInMemoryDifferencingStore(): DifferencingStore {
  const byRequester = new Map<string, Map<number, Uint32Array[]>>();
  return {
    async nearby(requester, size, radius) {
      const bySize = byRequester.get(requester);
      if (bySize === undefined) return [];
      const found: Uint32Array[] = [];
      for (let s = Math.max(0, size - radius + 1); s < size + radius; s++) {
        for (const cohort of bySize.get(s) ?? []) found.push(cohort);
      }
      return found;
    },
    async record(requester, cohort) {
      let bySize = byRequester.get(requester);
      if (bySize === undefined) {
        bySize = new Map();
        byRequester.set(requester, bySize);
      }
      const bucket = bySize.get(cohort.length) ?? [];
      if (bucket.some((earlier) => equal(earlier, cohort))) return;
      bucket.push(cohort.slice());
      bySize.set(cohort.length, bucket);
    },
  };
}
