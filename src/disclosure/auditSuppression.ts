import { assertSuppressionInput } from "./assertSuppressionInput.ts";
import { cellStatus } from "./cellStatus.ts";
import type { CountTable } from "./createCountTable.ts";
import {
  coordinatesOf,
  type Hypercube,
  hypercubeCorners,
  hypercubeWidth,
} from "./hypercubeWidth.ts";

/** Options of {@link auditSuppression}. */
export interface AuditOptions {
  /** Required minimum width of every suppressed cell's feasible interval. */
  readonly protectionInterval: number;
  /** When true the intruder knows suppressed cells are ≥ 1 (zeros are released). */
  readonly releaseZeros: boolean;
  /**
   * Certificates from `suppressComplementary`. A cell in a verified hypercube of sufficient
   * width is proven without a flow computation; required for tables of 3 or more dimensions.
   */
  readonly hypercubes?: readonly Hypercube[];
}

/** A suppressed cell the audit could not prove protected. */
export interface AuditFinding {
  /** Extended index of the cell. */
  readonly cell: number;
  /** Its extended coordinates (a coordinate equal to the category count is the total). */
  readonly coordinates: readonly number[];
  /** The proven width of its feasible interval (exact for network flow; a lower bound else). */
  readonly width: number;
}

/** Outcome of {@link auditSuppression}. */
export interface SuppressionAudit {
  /**
   * `network-flow`: exact feasible ranges (1-D and 2-D tables, whose relations form a
   * network matrix), with verified certificates as a shortcut; `hypercube-certificate`:
   * each suppressed cell lies in a verified hypercube of sufficient width (n-D tables; a
   * sound lower bound on the width).
   */
  readonly method: "network-flow" | "hypercube-certificate";
  /** Number of suppressed cells checked. */
  readonly checkedCells: number;
  /** Cells proven by a verified hypercube certificate. */
  readonly provenByCertificate: number;
  /** Cells proven (or refuted) by an exact max-flow computation. */
  readonly provenByNetworkFlow: number;
  /** True when every suppressed cell's interval is at least the protection interval wide. */
  readonly passed: boolean;
  /** The cells that failed, in index order. */
  readonly failures: readonly AuditFinding[];
}

/**
 * Audits a suppression pattern the way an intruder would attack it: given the released
 * cells, the linear relations (each line's cells sum to its total) and the lower bound on
 * suppressed counts (1 when zeros are released, else 0), how narrow can the interval of a
 * suppressed cell be made? Every suppressed cell must keep a width ≥ the protection
 * interval.
 *
 * Two proofs are used. A hypercube certificate is re-verified from the final pattern and
 * the true counts (all corners suppressed, width recomputed): a sound lower bound. For 1-D
 * and 2-D tables every cell not so proven gets the exact answer: after flipping the sign of
 * margins every line sums to zero, so suppressed cells are edges of a bipartite graph
 * between line nodes, feasible changes are circulations, and the widest move of a cell is
 * a max flow between its endpoints in the residual graph (computed up to the interval).
 * Without certificates the 1-D/2-D audit is purely the flow computation, independent of
 * how the pattern was chosen. Tables of 3 or more dimensions are not network matrices;
 * there every suppressed cell must lie in a verified certificate.
 *
 * @throws CustosError `DISCLOSURE_INVALID_TABLE` for a status not parallel to the table;
 * `DISCLOSURE_POLICY_INVALID` for a protection interval that is not a positive integer.
 * @example
 * ```ts
 * const audit = auditSuppression(table, status, { protectionInterval: 10, releaseZeros: true });
 * audit.passed; // true for a pattern from suppressComplementary
 * ```
 */
export function auditSuppression(
  table: CountTable,
  status: Uint8Array,
  options: AuditOptions,
): SuppressionAudit {
  assertSuppressionInput(table, status, options.protectionInterval);
  const lowerBound = options.releaseZeros ? 1 : 0;
  const proven = new Float64Array(status.length);
  for (const cube of options.hypercubes ?? []) {
    const width = hypercubeWidth(table, status, cube, lowerBound);
    if (width < options.protectionInterval) continue;
    for (const corner of hypercubeCorners(table, cube)) proven[corner] = width;
  }
  const networkFlow = table.shape.length <= 2;
  const failures: AuditFinding[] = [];
  const unproven: number[] = [];
  let checkedCells = 0;
  let provenByCertificate = 0;
  for (let i = 0; i < status.length; i++) {
    if (status[i] === cellStatus.released) continue;
    checkedCells++;
    if ((proven[i] ?? 0) > 0) provenByCertificate++;
    else if (networkFlow) unproven.push(i);
    else failures.push({ cell: i, coordinates: coordinatesOf(table, i), width: 0 });
  }
  if (networkFlow) failures.push(...flowFailures(table, status, unproven, options));
  failures.sort((a, b) => a.cell - b.cell);
  return {
    method: networkFlow ? "network-flow" : "hypercube-certificate",
    checkedCells,
    provenByCertificate,
    provenByNetworkFlow: unproven.length,
    passed: failures.length === 0,
    failures,
  };
}

function flowFailures(
  table: CountTable,
  status: Uint8Array,
  targets: readonly number[],
  options: AuditOptions,
): AuditFinding[] {
  if (targets.length === 0) return [];
  const { shape, values } = table;
  const lowerBound = options.releaseZeros ? 1 : 0;
  const need = options.protectionInterval;
  const twoD = shape.length === 2;
  const rows = twoD ? (shape[0] ?? 0) + 1 : 1;
  const columns = twoD ? (shape[1] ?? 0) + 1 : 1;
  const nodeCount = rows + columns;

  // Edges: one per suppressed cell, from its row node to its column node (1-D: both lines
  // are the single relation). Flow u→v raises the sign-flipped value y = ±x.
  const cells: number[] = [];
  for (let i = 0; i < status.length; i++) if (status[i] !== cellStatus.released) cells.push(i);
  const edgeCount = cells.length;
  const from = new Int32Array(edgeCount);
  const to = new Int32Array(edgeCount);
  const capForward = new Float64Array(edgeCount);
  const capBackward = new Float64Array(edgeCount);
  const degree = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) {
    const cell = cells[e] ?? 0;
    let row = 0;
    let column = 0;
    let totals = 0;
    if (twoD) {
      row = Math.floor(cell / columns);
      column = cell % columns;
      totals = (row === rows - 1 ? 1 : 0) + (column === columns - 1 ? 1 : 0);
    } else {
      totals = cell === (shape[0] ?? 0) ? 1 : 0;
    }
    from[e] = row;
    to[e] = rows + column;
    const slack = (values[cell] ?? 0) - lowerBound;
    // y = x for an even number of total coordinates, −x for an odd one; x can grow without
    // bound but shrink only down to the lower bound.
    capForward[e] = totals % 2 === 0 ? Number.POSITIVE_INFINITY : slack;
    capBackward[e] = totals % 2 === 0 ? slack : Number.POSITIVE_INFINITY;
    degree[row + 1] = (degree[row + 1] ?? 0) + 1;
    degree[rows + column + 1] = (degree[rows + column + 1] ?? 0) + 1;
  }
  for (let n = 0; n < nodeCount; n++) degree[n + 1] = (degree[n + 1] ?? 0) + (degree[n] ?? 0);
  const adjacency = new Int32Array(2 * edgeCount);
  const fill = degree.slice(0, nodeCount);
  for (let e = 0; e < edgeCount; e++) {
    const u = from[e] ?? 0;
    const v = to[e] ?? 0;
    adjacency[fill[u] ?? 0] = e;
    fill[u] = (fill[u] ?? 0) + 1;
    adjacency[fill[v] ?? 0] = e;
    fill[v] = (fill[v] ?? 0) + 1;
  }

  const flow = new Float64Array(edgeCount);
  const parentEdge = new Int32Array(nodeCount);
  const seen = new Int32Array(nodeCount);
  const queue = new Int32Array(nodeCount);
  const touched: number[] = [];
  let stamp = 0;

  const residual = (e: number, fromNode: number): number =>
    fromNode === from[e]
      ? (capForward[e] ?? 0) - (flow[e] ?? 0)
      : (capBackward[e] ?? 0) + (flow[e] ?? 0);

  // Max flow from source to sink avoiding `excluded`, stopped once `limit` is reached.
  // 2-D only: neighbour sets as bitsets over the opposite side, and the edge of each cell,
  // so 4-cycles (the shortest augmenting paths) are found by intersecting two bitsets.
  const words = twoD ? Math.ceil(Math.max(rows, columns) / 32) : 0;
  const bits = new Uint32Array(nodeCount * words);
  const edgeOfCell = new Int32Array(twoD ? status.length : 0).fill(-1);
  for (let e = 0; e < edgeCount && twoD; e++) {
    const u = from[e] ?? 0;
    const column = (to[e] ?? 0) - rows;
    bits[u * words + (column >>> 5)] =
      (bits[u * words + (column >>> 5)] ?? 0) | (1 << (column & 31));
    const w = (rows + column) * words + (u >>> 5);
    bits[w] = (bits[w] ?? 0) | (1 << (u & 31));
    edgeOfCell[cells[e] ?? 0] = e;
  }
  const edgeBetween = (x: number, sideIndex: number): number =>
    x < rows
      ? (edgeOfCell[x * columns + sideIndex] ?? -1)
      : (edgeOfCell[sideIndex * columns + (x - rows)] ?? -1);
  const push = (e: number, fromNode: number, amount: number): void => {
    flow[e] = (flow[e] ?? 0) + (fromNode === from[e] ? amount : -amount);
    touched.push(e);
  };

  // Greedy flow along 4-cycles source → a → b → sink, a valid starting flow for max flow.
  const fourCycles = (source: number, sink: number, excluded: number, limit: number): number => {
    let total = 0;
    const sourceSide = source < rows ? 0 : rows;
    const end = degree[source + 1] ?? 0;
    for (let i = degree[source] ?? 0; i < end && total < limit; i++) {
      const first = adjacency[i] ?? 0;
      if (first === excluded) continue;
      const a = from[first] === source ? (to[first] ?? 0) : (from[first] ?? 0);
      for (let w = 0; w < words && total < limit; w++) {
        let common = (bits[a * words + w] ?? 0) & (bits[sink * words + w] ?? 0);
        while (common !== 0 && total < limit) {
          const low = common & -common;
          common = (common ^ low) >>> 0;
          const b = sourceSide + w * 32 + 31 - Math.clz32(low);
          if (b === source) continue;
          const second = edgeBetween(a, b - sourceSide);
          const third = edgeBetween(sink, b - sourceSide);
          const amount = Math.min(
            limit - total,
            residual(first, source),
            residual(second, a),
            residual(third, b),
          );
          if (!(amount > 0)) continue;
          push(first, source, amount);
          push(second, a, amount);
          push(third, b, amount);
          total += amount;
        }
      }
    }
    return total;
  };

  const maxFlow = (source: number, sink: number, excluded: number, limit: number): number => {
    let total = twoD ? fourCycles(source, sink, excluded, limit) : 0;
    while (total < limit) {
      stamp++;
      seen[source] = stamp;
      queue[0] = source;
      let head = 0;
      let tail = 1;
      while (head < tail && seen[sink] !== stamp) {
        const x = queue[head++] ?? 0;
        const end = degree[x + 1] ?? 0;
        for (let a = degree[x] ?? 0; a < end; a++) {
          const e = adjacency[a] ?? 0;
          if (e === excluded) continue;
          const y = from[e] === x ? (to[e] ?? 0) : (from[e] ?? 0);
          if (seen[y] === stamp || residual(e, x) <= 0) continue;
          seen[y] = stamp;
          parentEdge[y] = e;
          queue[tail++] = y;
          if (y === sink) break;
        }
      }
      if (seen[sink] !== stamp) break;
      let bottleneck = limit - total;
      for (let y = sink; y !== source; ) {
        const e = parentEdge[y] ?? 0;
        const x = from[e] === y ? (to[e] ?? 0) : (from[e] ?? 0);
        bottleneck = Math.min(bottleneck, residual(e, x));
        y = x;
      }
      for (let y = sink; y !== source; ) {
        const e = parentEdge[y] ?? 0;
        const x = from[e] === y ? (to[e] ?? 0) : (from[e] ?? 0);
        push(e, x, bottleneck);
        y = x;
      }
      total += bottleneck;
    }
    for (const e of touched) flow[e] = 0;
    touched.length = 0;
    return total;
  };

  const edgeOf = new Int32Array(status.length);
  for (let e = 0; e < edgeCount; e++) edgeOf[cells[e] ?? 0] = e;
  const failures: AuditFinding[] = [];
  for (const target of targets) {
    const e = edgeOf[target] ?? 0;
    const u = from[e] ?? 0;
    const v = to[e] ?? 0;
    const upCap = Math.min(capForward[e] ?? 0, need);
    const up = upCap > 0 ? maxFlow(v, u, e, upCap) : 0;
    const downCap = Math.min(capBackward[e] ?? 0, need - up);
    const down = downCap > 0 ? maxFlow(u, v, e, downCap) : 0;
    if (up + down < need) {
      const cell = cells[e] ?? 0;
      failures.push({ cell, coordinates: coordinatesOf(table, cell), width: up + down });
    }
  }
  return failures;
}
