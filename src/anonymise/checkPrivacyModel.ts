import type { PrivacyModel } from "./PrivacyModel.ts";
import type { Table } from "./Table.ts";

/** The verdict of {@link checkPrivacyModel}. */
export interface PrivacyModelCheck {
  readonly satisfied: boolean;
  /** Released equivalence classes violating the model (0 for average risk). */
  readonly violatingClasses: number;
}

function columnIndex(table: Table, name: string): number {
  return table.columns.indexOf(name);
}

function value(table: Table, column: number, row: number): string {
  return (table.dictionaries[column] as readonly string[])[
    (table.codes[column] as Int32Array)[row] as number
  ] as string;
}

/**
 * Verifies a privacy model on a released table, independently of the search: it regroups
 * the released (non-suppressed) rows by the string values of their quasi-identifiers and
 * recomputes every class's statistics from scratch. t-closeness compares with the
 * distribution of the sensitive column over all rows (suppressed rows keep their sensitive
 * value, so this is the input's distribution). Thresholds use a 1e-9 relative tolerance.
 *
 * @throws never; an unknown column reads as a single empty value.
 * @example
 * ```ts
 * const result = anonymise(table, config);
 * checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, { type: "k-anonymity", k: 5 });
 * ```
 */
export function checkPrivacyModel(
  output: Table,
  quasiIdentifiers: readonly string[],
  suppressedRows: Uint8Array,
  model: PrivacyModel,
): PrivacyModelCheck {
  const qiColumns = quasiIdentifiers.map((name) => columnIndex(output, name));
  const sensitive = "attribute" in model ? columnIndex(output, model.attribute) : -1;
  const classes = new Map<string, Map<string, number>>();
  const overall = new Map<string, number>();
  for (let row = 0; row < output.rowCount; row++) {
    const s = sensitive >= 0 ? value(output, sensitive, row) : "";
    overall.set(s, (overall.get(s) ?? 0) + 1);
    if (suppressedRows[row] === 1) continue;
    const key = JSON.stringify(qiColumns.map((c) => value(output, c, row)));
    let histogram = classes.get(key);
    if (histogram === undefined) {
      histogram = new Map();
      classes.set(key, histogram);
    }
    histogram.set(s, (histogram.get(s) ?? 0) + 1);
  }
  const sizes = [...classes.values()].map((h) => [...h.values()].reduce((a, b) => a + b, 0));
  if (model.type === "average-risk") {
    const records = sizes.reduce((a, b) => a + b, 0);
    const risk = records === 0 ? 0 : classes.size / records;
    return { satisfied: risk <= model.threshold * (1 + 1e-9), violatingClasses: 0 };
  }
  const total = output.rowCount;
  const domain = [...overall.keys()];
  if (model.type === "t-closeness" && model.distance === "ordered") {
    const order = model.order;
    if (order !== undefined) domain.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    else if (domain.every((v) => v.trim() !== "" && Number.isFinite(Number(v)))) {
      domain.sort((a, b) => Number(a) - Number(b));
    } else domain.sort((a, b) => (a < b ? -1 : 1));
  }
  let violating = 0;
  [...classes.values()].forEach((histogram, i) => {
    const n = sizes[i] as number;
    const counts = [...histogram.values()].sort((a, b) => b - a);
    let passes: boolean;
    switch (model.type) {
      case "k-anonymity":
        passes = n >= model.k;
        break;
      case "distinct-l-diversity":
        passes = histogram.size >= model.l;
        break;
      case "entropy-l-diversity": {
        const entropy = -counts.reduce((sum, c) => sum + (c / n) * Math.log(c / n), 0);
        passes = entropy >= Math.log(model.l) - 1e-9;
        break;
      }
      case "recursive-cl-diversity": {
        const tail = counts.slice(model.l - 1).reduce((a, b) => a + b, 0);
        passes = counts.length >= model.l && (counts[0] as number) < model.c * tail;
        break;
      }
      case "t-closeness": {
        const p = domain.map((v) => (histogram.get(v) ?? 0) / n);
        const q = domain.map((v) => (overall.get(v) ?? 0) / total);
        let distance = 0;
        if (model.distance === "equal") {
          distance = p.reduce((sum, pi, j) => sum + Math.abs(pi - (q[j] as number)), 0) / 2;
        } else if (domain.length > 1) {
          let cumulative = 0;
          for (let j = 0; j < domain.length - 1; j++) {
            cumulative += (p[j] as number) - (q[j] as number);
            distance += Math.abs(cumulative);
          }
          distance /= domain.length - 1;
        }
        passes = distance <= model.t + 1e-9;
        break;
      }
    }
    if (!passes) violating++;
  });
  return { satisfied: violating === 0, violatingClasses: violating };
}
