import type { SensitiveModel } from "./PrivacyModel.ts";
import type { EncodedSensitiveAttribute, PreparedData } from "./prepareData.ts";

/** Relative tolerance for floating-point model thresholds (entropy, EMD, risk). */
export const MODEL_TOLERANCE = 1e-9;

/** A sensitive-attribute model prepared for repeated class checks. */
export interface CompiledSensitiveModel {
  readonly model: SensitiveModel;
  readonly data: EncodedSensitiveAttribute;
  /** Value code → position in the ground order (ordered EMD only). */
  readonly rank: Int32Array;
  /** Whole-table distribution in ground order (t-closeness only). */
  readonly global: Float64Array;
}

/**
 * Prepares a sensitive-attribute model for class checks: the ground order and the
 * whole-table distribution of t-closeness.
 *
 * @throws never for a validated model.
 * @example
 * ```ts
 * const compiled = compileSensitiveModel(prepared, model, table.dictionaries[column]);
 * ```
 */
export function compileSensitiveModel(
  prepared: PreparedData,
  model: SensitiveModel,
  dictionary: readonly string[],
): CompiledSensitiveModel {
  const data = prepared.sensitive.get(model.attribute) as EncodedSensitiveAttribute;
  const rank = new Int32Array(data.domain);
  const global = new Float64Array(data.domain);
  if (model.type === "t-closeness") {
    const codes = dictionary.map((_, code) => code);
    if (model.distance === "ordered") {
      if (model.order !== undefined) {
        const position = new Map(model.order.map((value, i) => [value, i]));
        codes.sort(
          (a, b) =>
            (position.get(dictionary[a] as string) as number) -
            (position.get(dictionary[b] as string) as number),
        );
      } else if (dictionary.every((v) => v.trim() !== "" && Number.isFinite(Number(v)))) {
        codes.sort((a, b) => Number(dictionary[a]) - Number(dictionary[b]));
      } else {
        codes.sort((a, b) => ((dictionary[a] as string) < (dictionary[b] as string) ? -1 : 1));
      }
    }
    codes.forEach((code, position) => {
      rank[code] = position;
      global[position] = (data.frequency[code] as number) / prepared.rowCount;
    });
  }
  return { model, data, rank, global };
}

/**
 * Whether one class's sensitive histogram passes: `counts` indexed by value code, `touched`
 * the codes present, `total` the class size, `dense` scratch of the domain's size.
 *
 * @throws never.
 * @example
 * ```ts
 * classPasses(compiled, counts, [0, 2], 7, scratch);
 * ```
 */
export function classPasses(
  compiled: CompiledSensitiveModel,
  counts: Float64Array,
  touched: readonly number[],
  total: number,
  dense: Float64Array,
): boolean {
  const { model } = compiled;
  switch (model.type) {
    case "distinct-l-diversity":
      return touched.length >= model.l;
    case "entropy-l-diversity": {
      let sum = 0;
      for (const v of touched) {
        const c = counts[v] as number;
        sum += c * Math.log(c);
      }
      const entropy = Math.log(total) - sum / total;
      return entropy >= Math.log(model.l) - MODEL_TOLERANCE;
    }
    case "recursive-cl-diversity": {
      if (touched.length < model.l) return false;
      const sorted = touched.map((v) => counts[v] as number).sort((a, b) => b - a);
      let tail = 0;
      for (let i = model.l - 1; i < sorted.length; i++) tail += sorted[i] as number;
      return (sorted[0] as number) < model.c * tail;
    }
    case "t-closeness": {
      const { global, rank } = compiled;
      const m = global.length;
      if (m <= 1) return true;
      let distance: number;
      if (model.distance === "equal") {
        let sum = 1;
        for (const v of touched) {
          const q = global[rank[v] as number] as number;
          sum += Math.abs((counts[v] as number) / total - q) - q;
        }
        distance = sum / 2;
      } else {
        dense.fill(0, 0, m);
        for (const v of touched) dense[rank[v] as number] = (counts[v] as number) / total;
        let cumulative = 0;
        let sum = 0;
        for (let i = 0; i < m - 1; i++) {
          cumulative += (dense[i] as number) - (global[i] as number);
          sum += Math.abs(cumulative);
        }
        distance = sum / (m - 1);
      }
      return distance <= model.t + MODEL_TOLERANCE;
    }
  }
}
