import type { DifferencingStore } from "./DifferencingStore.ts";

/** Decision of {@link checkDifferencing}: an expected outcome, returned rather than thrown. */
export type DifferencingDecision =
  | {
      readonly status: "allowed";
      /** Earlier cohorts compared (those of near size). */
      readonly compared: number;
    }
  | {
      readonly status: "refused";
      /** Size of the symmetric difference with the offending earlier cohort (0 < it < min). */
      readonly symmetricDifference: number;
      /** The minimum the policy requires. */
      readonly minDifference: number;
    };

/**
 * min(|a △ b|, stopAt) of two strictly increasing id lists by one linear merge, stopping
 * as soon as the count reaches `stopAt` (the caller only needs to know it is not smaller).
 *
 * @example
 * ```ts
 * symmetricDifferenceSize(Uint32Array.of(1, 2, 3), Uint32Array.of(2, 3, 4), 11); // 2
 * ```
 */
export function symmetricDifferenceSize(a: Uint32Array, b: Uint32Array, stopAt: number): number {
  let i = 0;
  let j = 0;
  let diff = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      i++;
      j++;
    } else {
      diff++;
      if (diff >= stopAt) return diff;
      if (x < y) i++;
      else j++;
    }
  }
  return Math.min(stopAt, diff + (a.length - i) + (b.length - j));
}

/**
 * The differencing guard: refuses a cohort whose symmetric difference with any cohort
 * already released to the same requester is in 1 … minDifference − 1, since subtracting
 * the two results would describe that handful of subjects. An identical cohort (Δ = 0) is
 * allowed: it reveals nothing new (its noise, if any, is charged again). Exact: only
 * earlier cohorts within `minDifference` in size are compared, each by a linear merge
 * that stops early. The cohort must already be normalised (see `toCohort`).
 *
 * @example
 * ```ts
 * const decision = await checkDifferencing(store, "researcher-1", cohort, 11);
 * if (decision.status === "refused") return decision;
 * ```
 */
export async function checkDifferencing(
  store: DifferencingStore,
  requester: string,
  cohort: Uint32Array,
  minDifference: number,
): Promise<DifferencingDecision> {
  const earlier = await store.nearby(requester, cohort.length, minDifference);
  for (const other of earlier) {
    const diff = symmetricDifferenceSize(cohort, other, minDifference);
    if (diff > 0 && diff < minDifference) {
      return { status: "refused", symmetricDifference: diff, minDifference };
    }
  }
  return { status: "allowed", compared: earlier.length };
}
