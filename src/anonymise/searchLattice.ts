import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import type { NodeEvaluator } from "./NodeEvaluator.ts";
import type { PreparedData } from "./prepareData.ts";
import type { MetricModel } from "./utilityMetrics.ts";

/** The best transformation found by a lattice search. */
export interface LatticeSearchResult {
  /** Levels per quasi-identifier, or undefined when no node is anonymous. */
  readonly levels: readonly number[] | undefined;
  /** Metric value of the best node (Infinity when none). */
  readonly value: number;
  /** Number of lattice nodes. */
  readonly latticeSize: number;
  /** Nodes whose classes were actually computed. */
  readonly checks: number;
}

const UNKNOWN = 0;
const ANONYMOUS = 1;
const NOT_ANONYMOUS = 2;

/**
 * Whether "anonymous" is monotone under generalisation in this setting. With suppression,
 * only models whose set of violating records can only shrink when classes merge keep it
 * (k-anonymity, distinct ℓ-diversity, k-map): a passing class merged with a failing one still
 * passes. Entropy/recursive ℓ-diversity, t-closeness and average risk are closed under
 * merging two passing classes only, which is enough when nothing may be suppressed.
 *
 * k-map with a population table: generalising one level maps each class's label tuple g to
 * one coarser tuple G, and the population records matching G are those matching any tuple
 * that maps to G, so pop(G) ≥ pop(g) for every sample class g merged into G. A class that
 * passes (pop ≥ k) therefore only merges into passing classes, and a failing coarse class
 * consists of failing fine classes only: the violating records can only shrink. Records
 * with a value outside the sample never lower a count, as counts are sums. k-map with an
 * estimator is k′-anonymity with k′ fixed by the sample size, hence monotone too.
 */
function anonymityIsMonotone(config: AnonymiseConfig, maxSuppressed: number): boolean {
  if (maxSuppressed === 0) return true;
  return config.models.every(
    (model) =>
      model.type === "k-anonymity" ||
      model.type === "distinct-l-diversity" ||
      model.type === "k-map",
  );
}

/**
 * Finds the transformation minimising the metric among those satisfying the models within
 * the suppression limit, ties broken towards the lexicographically smallest level vector.
 *
 * `exhaustive` evaluates every node. `optimal` visits nodes in increasing order of the
 * metric's lower bound and stops once the bound exceeds the best value found (the bound is
 * exact when nothing is suppressed). When anonymity is monotone it resolves a node's status
 * Flash-style: it builds an upward path of unresolved nodes, binary-searches it for the
 * lowest anonymous node, and tags every generalisation of an anonymous node anonymous and
 * every specialisation of a non-anonymous node non-anonymous without checking them. When
 * nothing may be suppressed the metric is monotone too, so generalisations of an anonymous
 * node are pruned outright.
 */
export function searchLattice(
  prepared: PreparedData,
  config: AnonymiseConfig,
  evaluator: NodeEvaluator,
  metric: MetricModel,
): LatticeSearchResult {
  const qis = prepared.quasiIdentifiers;
  const dims = qis.length;
  // The search runs on the sub-lattice of allowed levels, in coordinates relative to each
  // minLevel; levelsOf translates back to hierarchy levels for the evaluator and metric.
  const heights = qis.map((qi) => qi.maxLevel - qi.minLevel + 1);
  const offsets = qis.map((qi) => qi.minLevel);
  const strides = new Array<number>(dims).fill(1);
  for (let j = dims - 2; j >= 0; j--) {
    strides[j] = (strides[j + 1] as number) * (heights[j + 1] as number);
  }
  const size = (strides[0] as number) * (heights[0] as number);
  const levelsOf = (node: number, out: number[]): number[] => {
    let rest = node;
    for (let j = 0; j < dims; j++) {
      const stride = strides[j] as number;
      const level = Math.floor(rest / stride);
      rest -= level * stride;
      out[j] = level + (offsets[j] as number);
    }
    return out;
  };
  const scratch = new Array<number>(dims).fill(0);
  const bounds = new Float64Array(size);
  for (let node = 0; node < size; node++) bounds[node] = metric.bound(levelsOf(node, scratch));

  let bestNode = -1;
  let bestValue = Number.POSITIVE_INFINITY;
  const consider = (node: number, value: number): boolean => {
    if (value < bestValue || (value === bestValue && node < bestNode)) {
      bestNode = node;
      bestValue = value;
      return true;
    }
    return false;
  };

  const progress = config.onProgress;
  const report = (done: number): void => {
    if (progress !== undefined && (done & 255) === 0) progress(done / size);
  };

  if (config.search === "exhaustive") {
    for (let node = 0; node < size; node++) {
      report(node);
      const levels = levelsOf(node, scratch);
      const evaluation = evaluator.evaluate(levels);
      if (evaluation.anonymous) consider(node, metric.value(levels, evaluation));
    }
    return finish();
  }

  const monotoneAnonymity = anonymityIsMonotone(config, evaluator.maxSuppressed);
  const monotoneMetric = evaluator.maxSuppressed === 0;
  const status = new Uint8Array(size);
  const pruned = new Uint8Array(size);
  const values = new Map<number, number>();
  const stack: number[] = [];

  const spread = (from: number, up: boolean, mark: Uint8Array, tag: number): void => {
    stack.push(from);
    while (stack.length > 0) {
      const node = stack.pop() as number;
      if (mark[node] === tag) continue;
      mark[node] = tag;
      let rest = node;
      for (let j = 0; j < dims; j++) {
        const stride = strides[j] as number;
        const level = Math.floor(rest / stride);
        rest -= level * stride;
        if (up ? level + 1 < (heights[j] as number) : level > 0) {
          const next = up ? node + stride : node - stride;
          if (mark[next] !== tag) stack.push(next);
        }
      }
    }
  };

  const check = (node: number): void => {
    const levels = levelsOf(node, scratch);
    const evaluation = evaluator.evaluate(levels);
    if (evaluation.anonymous) {
      const value = metric.value(levels, evaluation);
      values.set(node, value);
      if (monotoneAnonymity) spread(node, true, status, ANONYMOUS);
      else status[node] = ANONYMOUS;
      consider(node, value);
      if (monotoneMetric) spread(node, true, pruned, 1);
    } else if (monotoneAnonymity) spread(node, false, status, NOT_ANONYMOUS);
    else status[node] = NOT_ANONYMOUS;
  };

  const resolveByPath = (start: number): void => {
    const path = [start];
    let current = start;
    for (;;) {
      let next = -1;
      let rest = current;
      for (let j = 0; j < dims; j++) {
        const stride = strides[j] as number;
        const level = Math.floor(rest / stride);
        rest -= level * stride;
        if (level + 1 >= (heights[j] as number)) continue;
        const candidate = current + stride;
        if (status[candidate] !== UNKNOWN) continue;
        if (
          next < 0 ||
          (bounds[candidate] as number) < (bounds[next] as number) ||
          ((bounds[candidate] as number) === (bounds[next] as number) && candidate < next)
        ) {
          next = candidate;
        }
      }
      if (next < 0) break;
      path.push(next);
      current = next;
    }
    let low = 0;
    let high = path.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const node = path[mid] as number;
      if (status[node] === UNKNOWN) check(node);
      if (status[node] === ANONYMOUS) high = mid - 1;
      else low = mid + 1;
    }
  };

  const order = Array.from({ length: size }, (_, i) => i).sort(
    (a, b) => (bounds[a] as number) - (bounds[b] as number) || a - b,
  );
  for (let i = 0; i < size; i++) {
    report(i);
    const node = order[i] as number;
    const bound = bounds[node] as number;
    if (bound > bestValue || (bound === bestValue && node > bestNode)) break;
    if (pruned[node] === 1) continue;
    if (status[node] === UNKNOWN) {
      if (monotoneAnonymity) resolveByPath(node);
      else check(node);
    }
    if (status[node] !== ANONYMOUS) continue;
    const known = values.get(node);
    if (known === undefined) check(node);
    else consider(node, known);
  }
  return finish();

  function finish(): LatticeSearchResult {
    progress?.(1);
    return {
      levels: bestNode < 0 ? undefined : levelsOf(bestNode, new Array<number>(dims)),
      value: bestValue,
      latticeSize: size,
      checks: evaluator.evaluations,
    };
  }
}
