import type { CountTable } from "./createCountTable.ts";

/**
 * A protection certificate: the 2^D cells obtained by replacing, on any subset of the axes,
 * the coordinate of `cell` by the axis's alternative position. Moving mass around those
 * corners with alternating signs keeps every line sum of the table unchanged, so if all
 * corners are suppressed, an intruder cannot tell the true table from the shifted ones.
 */
export interface Hypercube {
  /** Extended index of the primary cell the hypercube was built for. */
  readonly cell: number;
  /** Per dimension, the alternative extended position (≠ the cell's own coordinate). */
  readonly alternatives: readonly number[];
}

/**
 * Extended coordinates of an extended index (a coordinate equal to the category count of
 * its dimension is that dimension's total).
 *
 * @example
 * ```ts
 * coordinatesOf(table2x3, 7); // [1, 3]: row 1, row total
 * ```
 */
export function coordinatesOf(table: CountTable, index: number): number[] {
  const coords: number[] = [];
  let rest = index;
  for (let d = 0; d < table.strides.length; d++) {
    const stride = table.strides[d] ?? 1;
    coords.push(Math.floor(rest / stride));
    rest %= stride;
  }
  return coords;
}

/**
 * Width of the feasible interval a hypercube proves for each of its corners: the largest
 * shift t ≥ 0 in one direction plus the largest in the other, such that every corner stays
 * ≥ `lowerBound`. Corners whose sign pattern moves them with the cell form one group; the
 * others move against it; a margin's sign flips relative to its cells. Returns −1 when a
 * corner is released (status 0) or below the lower bound, i.e. the certificate is void.
 *
 * @example
 * ```ts
 * hypercubeWidth(table, status, { cell: 0, alternatives: [1, 1] }, 1); // e.g. 14
 * ```
 */
export function hypercubeWidth(
  table: CountTable,
  status: Uint8Array,
  cube: Hypercube,
  lowerBound: number,
): number {
  const { shape, strides, values } = table;
  const dims = shape.length;
  const coords = coordinatesOf(table, cube.cell);
  let withCell = Number.POSITIVE_INFINITY;
  let againstCell = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << dims; mask++) {
    let index = cube.cell;
    let parity = 0;
    for (let d = 0; d < dims; d++) {
      if (((mask >> d) & 1) === 0) continue;
      const own = coords[d] ?? 0;
      const alt = cube.alternatives[d] ?? own;
      const n = shape[d] ?? 0;
      if (alt === own || alt < 0 || alt > n) return -1;
      index += (alt - own) * (strides[d] ?? 0);
      // A sign flips per shifted axis, and flips back when the shift crosses to or from the
      // total (a total enters its line relation with the opposite sign).
      if (own < n && alt < n) parity ^= 1;
    }
    const v = values[index] ?? 0;
    if (status[index] === 0 || v < lowerBound) return -1;
    if (parity === 0) withCell = Math.min(withCell, v - lowerBound);
    else againstCell = Math.min(againstCell, v - lowerBound);
  }
  return withCell + againstCell;
}

/**
 * The extended indices of a hypercube's 2^D corners, the cell itself first.
 *
 * @example
 * ```ts
 * hypercubeCorners(table, { cell: 0, alternatives: [1, 2] }); // [0, 1·s0, 2·s1, 1·s0 + 2·s1]
 * ```
 */
export function hypercubeCorners(table: CountTable, cube: Hypercube): number[] {
  const coords = coordinatesOf(table, cube.cell);
  const corners: number[] = [];
  for (let mask = 0; mask < 1 << coords.length; mask++) {
    let index = cube.cell;
    for (let d = 0; d < coords.length; d++) {
      if (((mask >> d) & 1) === 1) {
        const own = coords[d] ?? 0;
        index += ((cube.alternatives[d] ?? own) - own) * (table.strides[d] ?? 0);
      }
    }
    corners.push(index);
  }
  return corners;
}
