import { CustosError } from "../errors/index.ts";
import type { AnonymiseConfig, QuasiIdentifierConfig } from "./AnonymiseConfig.ts";
import type { PreparedData } from "./prepareData.ts";

/** A quasi-identifier Mondrian cuts at a median value; regions are value ranges. */
export interface RangeDimension {
  readonly kind: "range";
  /** Leaf → rank of its numeric value (equal numbers share a rank). */
  readonly rankOf: Int32Array;
  /** Rank → numeric value, ascending. */
  readonly values: Float64Array;
  /** Rank → the value as written (its first hierarchy spelling). */
  readonly text: readonly string[];
  /** `leavesBelow[r]`: hierarchy rows with rank < r (length ranks + 1). */
  readonly leavesBelow: Int32Array;
  /** `recordsBelow[r]`: input records with rank < r (length ranks + 1). */
  readonly recordsBelow: Float64Array;
  /** Value range of the input records (max − min), the width normaliser. */
  readonly span: number;
}

/** A quasi-identifier Mondrian cuts into the children of a hierarchy node. */
export interface HierarchyDimension {
  readonly kind: "hierarchy";
  /** Per level: label id → hierarchy rows under it. */
  readonly labelRows: readonly Int32Array[];
  /** Per level: label id → input records under it. */
  readonly labelRecords: readonly Float64Array[];
}

/** How Mondrian treats one quasi-identifier. */
export type MondrianDimension = RangeDimension | HierarchyDimension;

function isNumber(value: string): boolean {
  return value.trim() !== "" && Number.isFinite(Number(value));
}

/**
 * Decides per quasi-identifier whether Mondrian cuts it as a numeric range or along its
 * hierarchy (see `QuasiIdentifierConfig.split`) and precomputes what the cuts and the
 * utility metrics need.
 *
 * @throws ANONYMISE_CONFIG_INVALID when `split: "range"` is set on a hierarchy whose values
 *   are not all numbers (naming the attribute and value).
 * @example
 * ```ts
 * const dimensions = mondrianDimensions(prepared, config);
 * ```
 */
export function mondrianDimensions(
  prepared: PreparedData,
  config: AnonymiseConfig,
): MondrianDimension[] {
  return prepared.quasiIdentifiers.map((qi) => {
    const attribute = config.attributes[qi.name] as QuasiIdentifierConfig;
    const leaves = qi.labels[0] as readonly string[];
    const bounded = qi.minLevel > 0 || qi.maxLevel < qi.levels - 1;
    const numeric = leaves.every(isNumber);
    const kind = attribute.split ?? (numeric && !bounded ? "range" : "hierarchy");
    if (kind === "hierarchy") {
      const labelRows = qi.labels.map((names) => new Int32Array(names.length));
      const labelRecords = qi.labels.map((names) => new Float64Array(names.length));
      qi.labelOf.forEach((labelOf, level) => {
        const rows = labelRows[level] as Int32Array;
        const records = labelRecords[level] as Float64Array;
        labelOf.forEach((label, leaf) => {
          rows[label] = (rows[label] as number) + 1;
          records[label] = (records[label] as number) + (qi.frequency[leaf] as number);
        });
      });
      return { kind, labelRows, labelRecords };
    }
    const bad = leaves.find((value) => !isNumber(value));
    if (bad !== undefined) {
      throw new CustosError(
        "ANONYMISE_CONFIG_INVALID",
        `quasi-identifier "${qi.name}" has split "range" but value "${bad}" is not a number`,
        { details: { attribute: qi.name, field: `attributes.${qi.name}.split`, value: bad } },
      );
    }
    const numbers = leaves.map(Number);
    const byValue = numbers
      .map((_, leaf) => leaf)
      .sort((a, b) => {
        const d = (numbers[a] as number) - (numbers[b] as number);
        return d !== 0 ? d : a - b;
      });
    const rankOf = new Int32Array(leaves.length);
    const values: number[] = [];
    const text: string[] = [];
    for (const leaf of byValue) {
      const n = numbers[leaf] as number;
      if (values.length === 0 || values[values.length - 1] !== n) {
        values.push(n);
        text.push(leaves[leaf] as string);
      }
      rankOf[leaf] = values.length - 1;
    }
    const leavesBelow = new Int32Array(values.length + 1);
    const recordsBelow = new Float64Array(values.length + 1);
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    rankOf.forEach((rank, leaf) => {
      leavesBelow[rank + 1] = (leavesBelow[rank + 1] as number) + 1;
      const f = qi.frequency[leaf] as number;
      recordsBelow[rank + 1] = (recordsBelow[rank + 1] as number) + f;
      if (f > 0) {
        low = Math.min(low, numbers[leaf] as number);
        high = Math.max(high, numbers[leaf] as number);
      }
    });
    for (let r = 0; r < values.length; r++) {
      leavesBelow[r + 1] = (leavesBelow[r + 1] as number) + (leavesBelow[r] as number);
      recordsBelow[r + 1] = (recordsBelow[r + 1] as number) + (recordsBelow[r] as number);
    }
    return {
      kind,
      rankOf,
      values: Float64Array.from(values),
      text,
      leavesBelow,
      recordsBelow,
      span: high > low ? high - low : 0,
    };
  });
}
