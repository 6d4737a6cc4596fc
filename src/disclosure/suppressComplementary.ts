import { assertSuppressionInput } from "./assertSuppressionInput.ts";
import { cellStatus } from "./cellStatus.ts";
import type { CountTable } from "./createCountTable.ts";
import type { Hypercube } from "./hypercubeWidth.ts";

/** Options of {@link suppressComplementary}. */
export interface ComplementaryOptions {
  /** Minimum width of every suppressed cell's feasible interval (see `DisclosurePolicy`). */
  readonly protectionInterval: number;
  /** When true, zero cells are never chosen and the intruder's lower bound is 1. */
  readonly releaseZeros: boolean;
  /**
   * Cap on hypercubes evaluated per primary cell; past it the best one found so far is
   * used (there is always one: the hypercube through the margins).
   */
  readonly maxEvaluationsPerCell?: number;
  /**
   * Extended cells the requester knows already (1 = public), e.g. a grand total equal to a
   * cohort size released elsewhere: a hypercube through one of them protects nothing, so
   * none is used and none is ever suppressed. A primary cell no other hypercube can protect
   * stays uncovered, and the audit then refuses the table.
   */
  readonly publicCells?: Uint8Array;
}

/** Result of {@link suppressComplementary}. */
export interface ComplementaryResult {
  /** Final status per extended cell (released, primary or secondary). */
  readonly status: Uint8Array;
  /** One certificate per primary cell that was not already protected by an earlier one. */
  readonly hypercubes: readonly Hypercube[];
}

const defaultMaxEvaluations = 4096;

/**
 * Complementary (secondary) suppression by the hypercube method: for each primary cell not
 * yet protected, choose per axis an alternative position so that the 2^D corners form a
 * hypercube whose alternating shift keeps all line sums fixed, its width (how far the cell
 * can move while every corner stays ≥ the intruder's lower bound) is ≥ the protection
 * interval, and the newly suppressed mass (Σ count + 1 over corners not yet suppressed) is
 * minimal. The search is branch and bound over alternatives sorted by the cost of the
 * axis neighbours, so already-suppressed and small cells are tried first. A hypercube
 * through the totals always qualifies (its corners can all grow together), so every
 * primary cell ends up protected and every suppressed cell lies in a certified hypercube.
 *
 * Primary cells are processed smallest count first; the input status is not modified.
 *
 * @throws CustosError `DISCLOSURE_INVALID_TABLE` for a status not parallel to the table;
 * `DISCLOSURE_POLICY_INVALID` for a protection interval that is not a positive integer.
 * @example
 * ```ts
 * const primary = suppressPrimary(table, policy);
 * const { status, hypercubes } = suppressComplementary(table, primary, policy);
 * ```
 */
export function suppressComplementary(
  table: CountTable,
  primaryStatus: Uint8Array,
  options: ComplementaryOptions,
): ComplementaryResult {
  assertSuppressionInput(table, primaryStatus, options.protectionInterval);
  const { shape, strides, values } = table;
  const dims = shape.length;
  const lowerBound = options.releaseZeros ? 1 : 0;
  const protection = options.protectionInterval;
  const maxEvaluations = options.maxEvaluationsPerCell ?? defaultMaxEvaluations;
  const publicCells = options.publicCells;
  const status = Uint8Array.from(primaryStatus);
  const covered = new Uint8Array(values.length);
  const hypercubes: Hypercube[] = [];

  const primaries: number[] = [];
  for (let i = 0; i < status.length; i++) if (status[i] === cellStatus.primary) primaries.push(i);
  primaries.sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0) || a - b);

  const coords = new Int32Array(dims);
  const chosen = new Int32Array(dims);
  const best = new Int32Array(dims);
  const delta = new Float64Array(dims);
  const flip = new Uint8Array(dims);
  const altPositions: Int32Array[] = shape.map((n) => new Int32Array(n + 1));
  const sortedCount = new Int32Array(dims);
  const heapSize = new Int32Array(dims);
  const altCosts: Float64Array[] = shape.map((n) => new Float64Array(n + 1));
  const sortKeys: Float64Array[] = shape.map((n) => new Float64Array(n + 1));
  const candidates = new Int32Array(Math.max(...shape) + 1);
  const corners = 1 << dims;
  let bestCost = Number.POSITIVE_INFINITY;
  let evaluations = 0;
  let cell = 0;

  // The r-th cheapest alternative on axis d (−1 past the last), extending the sorted prefix
  // from the heap of packed keys (cost·(n+1) + position) on demand.
  const alternativeAt = (d: number, r: number): number => {
    const positions = altPositions[d] ?? new Int32Array(0);
    const keys = sortKeys[d] ?? new Float64Array(0);
    const modulus = (shape[d] ?? 0) + 1;
    while ((sortedCount[d] ?? 0) <= r) {
      const size = heapSize[d] ?? 0;
      if (size === 0) return -1;
      const top = keys[0] ?? 0;
      keys[0] = keys[size - 1] ?? 0;
      heapSize[d] = size - 1;
      siftDown(keys, 0, size - 1);
      positions[sortedCount[d] ?? 0] = top % modulus;
      sortedCount[d] = (sortedCount[d] ?? 0) + 1;
    }
    return positions[r] ?? -1;
  };

  // Cost of the hypercube `chosen` around `cell`, or +∞ when it is void, too narrow or not
  // cheaper than `limit`.
  const evaluate = (limit: number): number => {
    for (let d = 0; d < dims; d++) {
      const own = coords[d] ?? 0;
      const alt = chosen[d] ?? 0;
      delta[d] = (alt - own) * (strides[d] ?? 0);
      flip[d] = own < (shape[d] ?? 0) && alt < (shape[d] ?? 0) ? 1 : 0;
    }
    let cost = 0;
    let withCell = (values[cell] ?? 0) - lowerBound;
    let againstCell = Number.POSITIVE_INFINITY;
    for (let mask = 1; mask < corners; mask++) {
      let index = cell;
      let parity = 0;
      for (let d = 0; d < dims; d++) {
        if (((mask >> d) & 1) === 1) {
          index += delta[d] ?? 0;
          parity ^= flip[d] ?? 0;
        }
      }
      const v = values[index] ?? 0;
      if (v < lowerBound || publicCells?.[index] === 1) return Number.POSITIVE_INFINITY;
      if (status[index] === cellStatus.released) {
        cost += v + 1;
        if (cost >= limit) return Number.POSITIVE_INFINITY;
      }
      if (parity === 0) withCell = Math.min(withCell, v - lowerBound);
      else againstCell = Math.min(againstCell, v - lowerBound);
    }
    return withCell + againstCell >= protection ? cost : Number.POSITIVE_INFINITY;
  };

  const search = (d: number, partial: number): void => {
    if (d === dims) {
      evaluations++;
      const cost = evaluate(bestCost);
      if (cost < bestCost) {
        bestCost = cost;
        best.set(chosen);
      }
      return;
    }
    const costs = altCosts[d] ?? new Float64Array(0);
    for (let r = 0; ; r++) {
      const alt = alternativeAt(d, r);
      if (alt < 0) return;
      const c = partial + (costs[alt] ?? 0);
      if (c >= bestCost || evaluations >= maxEvaluations) return;
      chosen[d] = alt;
      search(d + 1, c);
    }
  };

  for (const primary of primaries) {
    if (covered[primary] === 1) continue;
    cell = primary;
    let rest = cell;
    for (let d = 0; d < dims; d++) {
      const stride = strides[d] ?? 1;
      coords[d] = Math.floor(rest / stride);
      rest %= stride;
    }
    // The hypercube through the totals: interior coordinates pair with the total, total
    // coordinates with their largest child, so every corner is ≥ 1 and all corners can
    // grow together (unbounded width). It bounds the search from above.
    let descendant = cell;
    for (let d = 0; d < dims; d++) {
      const n = shape[d] ?? 0;
      const stride = strides[d] ?? 0;
      if ((coords[d] ?? 0) < n) {
        chosen[d] = n;
        continue;
      }
      let pick = 0;
      for (let k = 1; k < n; k++) {
        const base = descendant - n * stride;
        if ((values[base + k * stride] ?? 0) > (values[base + pick * stride] ?? 0)) pick = k;
      }
      chosen[d] = pick;
      descendant += (pick - n) * stride;
    }
    bestCost = evaluate(Number.POSITIVE_INFINITY);
    best.set(chosen);

    const cellSlack = (values[cell] ?? 0) - lowerBound;
    for (let d = 0; d < dims; d++) {
      const n = shape[d] ?? 0;
      const stride = strides[d] ?? 0;
      const own = coords[d] ?? 0;
      const costs = altCosts[d] ?? new Float64Array(0);
      const keys = sortKeys[d] ?? new Float64Array(0);
      let count = 0;
      let packable = true;
      for (let k = 0; k <= n; k++) {
        if (k === own) continue;
        const neighbour = cell + (k - own) * stride;
        const v = values[neighbour] ?? 0;
        if (v < lowerBound) continue;
        // A neighbour moving against the cell caps the width at the sum of both slacks.
        if (own < n && k < n && cellSlack + v - lowerBound < protection) continue;
        const cost = status[neighbour] === cellStatus.released ? v + 1 : 0;
        costs[k] = cost;
        const key = cost * (n + 1) + k;
        if (key > Number.MAX_SAFE_INTEGER) packable = false;
        candidates[count] = k;
        keys[count++] = key;
      }
      if (packable) {
        // Heapify now, pop in order only as far as the search goes (it usually stops early).
        heapSize[d] = count;
        for (let r = (count >> 1) - 1; r >= 0; r--) siftDown(keys, r, count);
        sortedCount[d] = 0;
      } else {
        const positions = (altPositions[d] ?? new Int32Array(0)).subarray(0, count);
        for (let r = 0; r < count; r++) positions[r] = candidates[r] ?? 0;
        positions.sort((a, b) => (costs[a] ?? 0) - (costs[b] ?? 0) || a - b);
        heapSize[d] = 0;
        sortedCount[d] = count;
      }
    }
    evaluations = 0;
    search(0, 0);
    if (bestCost === Number.POSITIVE_INFINITY) continue;

    const alternatives = Array.from(best);
    for (let mask = 0; mask < corners; mask++) {
      let index = cell;
      for (let d = 0; d < dims; d++) {
        if (((mask >> d) & 1) === 1)
          index += ((best[d] ?? 0) - (coords[d] ?? 0)) * (strides[d] ?? 0);
      }
      if (status[index] === cellStatus.released) status[index] = cellStatus.secondary;
      covered[index] = 1;
    }
    hypercubes.push({ cell, alternatives });
  }
  return { status, hypercubes };
}

/** Restores the min-heap property below `i` in `heap[0 … size)`. */
function siftDown(heap: Float64Array, i: number, size: number): void {
  let parent = i;
  const value = heap[parent] ?? 0;
  for (;;) {
    let child = 2 * parent + 1;
    if (child >= size) break;
    if (child + 1 < size && (heap[child + 1] ?? 0) < (heap[child] ?? 0)) child++;
    if ((heap[child] ?? 0) >= value) break;
    heap[parent] = heap[child] ?? 0;
    parent = child;
  }
  heap[parent] = value;
}
