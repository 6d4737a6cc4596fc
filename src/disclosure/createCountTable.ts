import { CustosError } from "../errors/index.ts";

/** One axis of a cross tabulation: its name and its categories, in display order. */
export interface Dimension {
  /** Unique name of the dimension, e.g. `"ageBand"`. */
  readonly name: string;
  /** Distinct category labels; the total of the dimension is not listed. */
  readonly categories: readonly string[];
}

/** What {@link createCountTable} takes: dimensions and interior counts in row-major order. */
export interface CountTableInput {
  /** One or more dimensions (1-D frequency table, 2-D cross tabulation, n-D). */
  readonly dimensions: readonly Dimension[];
  /**
   * Interior cell counts in row-major order (last dimension fastest): length is the product
   * of the category counts; every count a non-negative safe integer.
   */
  readonly counts: ArrayLike<number>;
}

/**
 * A validated count table extended with all its margins. Each dimension `d` of `n_d`
 * categories has `n_d + 1` extended positions: `0 … n_d − 1` are the categories and `n_d` is
 * the total over that dimension. For a 2-D table this is the classic layout with row totals
 * (last column), column totals (last row) and the grand total (last cell); for n-D tables
 * every marginal table is present. Every line along one axis satisfies the linear relation
 * "sum of its `n_d` category cells = its total cell", which is what an intruder can exploit.
 */
export interface CountTable {
  /** The dimensions, as given. */
  readonly dimensions: readonly Dimension[];
  /** Category count per dimension. */
  readonly shape: readonly number[];
  /** `shape[d] + 1` per dimension: categories plus the total position. */
  readonly extendedShape: readonly number[];
  /** Row-major strides of the extended layout. */
  readonly strides: readonly number[];
  /** Extended cell values (interior cells and all margins), row-major; treat as read-only. */
  readonly values: Float64Array;
}

/** Largest extended table accepted: bounds memory and the suppression search. */
const maxExtendedCells = 4_000_000;
const maxDimensions = 12;

function invalid(shortMessage: string, details: Record<string, unknown>): never {
  throw new CustosError("DISCLOSURE_INVALID_TABLE", shortMessage, { details });
}

/**
 * Validates a count table and computes its margins (row, column, grand and, for n-D tables,
 * every lower-dimensional total) from the interior cells, so margins are always consistent.
 *
 * @throws CustosError `DISCLOSURE_INVALID_TABLE` naming the dimension, category or cell
 * (index and coordinates) that is malformed.
 * @example
 * ```ts
 * const table = createCountTable({
 *   dimensions: [
 *     { name: "sex", categories: ["F", "M"] },
 *     { name: "ageBand", categories: ["0-17", "18-64", "65+"] },
 *   ],
 *   counts: [3, 40, 25, 12, 38, 0],
 * });
 * table.values[table.values.length - 1]; // 118, the grand total
 * ```
 */
export function createCountTable(input: CountTableInput): CountTable {
  const { dimensions, counts } = input;
  if (!Array.isArray(dimensions) || dimensions.length === 0) {
    invalid("a table needs at least one dimension", { field: "dimensions" });
  }
  if (dimensions.length > maxDimensions) {
    // Complementary suppression visits 2^D hypercube corners per candidate.
    invalid(`a table has at most ${maxDimensions} dimensions`, {
      field: "dimensions",
      actual: dimensions.length,
    });
  }
  const names = new Set<string>();
  const shape: number[] = [];
  dimensions.forEach((dimension: Dimension, d: number) => {
    if (typeof dimension?.name !== "string" || dimension.name.length === 0) {
      invalid(`dimension ${d} has no name`, { dimension: d, field: "name" });
    }
    if (names.has(dimension.name)) {
      invalid(`dimension name "${dimension.name}" is repeated`, { dimension: dimension.name });
    }
    names.add(dimension.name);
    const categories = dimension.categories;
    if (!Array.isArray(categories) || categories.length === 0) {
      invalid(`dimension "${dimension.name}" has no categories`, { dimension: dimension.name });
    }
    const seen = new Set<string>();
    categories.forEach((category: unknown, k: number) => {
      if (typeof category !== "string" || seen.has(category)) {
        invalid(`dimension "${dimension.name}" category ${k} is not a distinct string`, {
          dimension: dimension.name,
          category: k,
        });
      }
      seen.add(category);
    });
    shape.push(categories.length);
  });
  const extendedShape = shape.map((n) => n + 1);
  const extendedSize = extendedShape.reduce((a, b) => a * b, 1);
  if (extendedSize > maxExtendedCells) {
    invalid(`table too large: ${extendedSize} extended cells`, { extendedSize, maxExtendedCells });
  }
  const interiorSize = shape.reduce((a, b) => a * b, 1);
  if (counts === null || typeof counts !== "object" || counts.length !== interiorSize) {
    invalid(`counts must have ${interiorSize} entries`, {
      field: "counts",
      expected: interiorSize,
      actual: counts?.length,
    });
  }
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) {
    strides[d] = (strides[d + 1] ?? 1) * (extendedShape[d + 1] ?? 1);
  }
  const values = new Float64Array(extendedSize);
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < interiorSize; i++) {
    const count = counts[i];
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
      invalid(`cell ${i} [${coords.join(",")}] is not a non-negative integer count`, {
        cell: i,
        coordinates: [...coords],
        value: typeof count === "number" ? count : String(count),
      });
    }
    let index = 0;
    for (let d = 0; d < shape.length; d++) index += (coords[d] ?? 0) * (strides[d] ?? 0);
    values[index] = count;
    for (let d = shape.length - 1; d >= 0; d--) {
      const next = (coords[d] ?? 0) + 1;
      if (next < (shape[d] ?? 0)) {
        coords[d] = next;
        break;
      }
      coords[d] = 0;
    }
  }
  addMargins(values, shape, strides);
  if (!Number.isSafeInteger(values[extendedSize - 1])) {
    invalid("the grand total exceeds the safe integer range", { field: "counts" });
  }
  return Object.freeze({
    dimensions: Object.freeze(
      dimensions.map((d) =>
        Object.freeze({ name: d.name, categories: Object.freeze([...d.categories]) }),
      ),
    ),
    shape: Object.freeze(shape),
    extendedShape: Object.freeze(extendedShape),
    strides: Object.freeze(strides),
    values,
  });
}

/**
 * Fills every total position of an extended layout from the category cells, one axis at a
 * time; later axes sum earlier totals, so every margin ends as the sum of its interior cells.
 *
 * @example
 * ```ts
 * const values = Float64Array.of(2, 3, 0); // 1-D: two cells and the total slot
 * addMargins(values, [2], [1]); // values = [2, 3, 5]
 * ```
 */
export function addMargins(
  values: Float64Array,
  shape: readonly number[],
  strides: readonly number[],
): void {
  const size = values.length;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] ?? 0;
    const stride = strides[d] ?? 0;
    const extent = (n + 1) * stride;
    for (let block = 0; block < size; block += extent) {
      for (let offset = 0; offset < stride; offset++) {
        const base = block + offset;
        let sum = 0;
        for (let k = 0; k < n; k++) sum += values[base + k * stride] ?? 0;
        values[base + n * stride] = sum;
      }
    }
  }
}

/**
 * Checks that a value is a count table as {@link createCountTable} builds it (shape,
 * strides and value count consistent), for entry points that take a table object.
 *
 * @throws CustosError `DISCLOSURE_INVALID_TABLE` naming the inconsistent field.
 * @example
 * ```ts
 * assertCountTable(createCountTable({ dimensions, counts })); // passes
 * ```
 */
export function assertCountTable(table: CountTable): void {
  const { shape, extendedShape, strides, values, dimensions } = table ?? {};
  if (!(values instanceof Float64Array) || !Array.isArray(shape) || !Array.isArray(dimensions)) {
    invalid("not a count table; build it with createCountTable", { field: "table" });
  }
  const consistent =
    shape.length === dimensions.length &&
    shape.every((n, d) => n === dimensions[d]?.categories.length && extendedShape[d] === n + 1) &&
    strides.length === shape.length &&
    values.length === extendedShape.reduce((a, b) => a * b, 1);
  if (!consistent) invalid("count table shape, strides and values disagree", { field: "table" });
}
