import type { Hierarchy } from "./Hierarchy.ts";
import type { KMapEstimatorModel, KMapPopulationModel, PrivacyModel } from "./PrivacyModel.ts";
import type { Table } from "./Table.ts";

/** Options of {@link checkPrivacyModel}. */
export interface CheckPrivacyModelOptions {
  /**
   * Hierarchies by quasi-identifier (k-map with a population table): a population value
   * matches a released label that is an ancestor of it. Labels that are not hierarchy labels
   * (Mondrian's ranges) match the values they contain.
   */
  readonly hierarchies?: Readonly<Record<string, Hierarchy>>;
}

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

function numeric(text: string): boolean {
  return text.trim() !== "" && Number.isFinite(Number(text));
}

/** A Mondrian range label (`low-high` or `[low, high]`) as numbers, or undefined. */
function parseRange(label: string): [number, number] | undefined {
  const bracketed = /^\[(.+), (.+)\]$/.exec(label);
  if (bracketed !== null) {
    const [, low = "", high = ""] = bracketed;
    return numeric(low) && numeric(high) ? [Number(low), Number(high)] : undefined;
  }
  for (let i = 1; i < label.length - 1; i++) {
    if (label[i] !== "-") continue;
    const low = label.slice(0, i);
    const high = label.slice(i + 1);
    if (numeric(low) && numeric(high)) return [Number(low), Number(high)];
  }
  return undefined;
}

/** Per hierarchy: every label, and each original value's labels (its row). */
interface HierarchyIndex {
  readonly labels: ReadonlySet<string>;
  readonly ancestors: ReadonlyMap<string, ReadonlySet<string>>;
}

function indexHierarchy(hierarchy: Hierarchy): HierarchyIndex {
  const labels = new Set<string>();
  const ancestors = new Map<string, ReadonlySet<string>>();
  for (const row of hierarchy.rows) {
    for (const label of row) labels.add(label);
    ancestors.set(row[0] as string, new Set(row));
  }
  return { labels, ancestors };
}

/** Tells whether a population value is covered by a released label of a quasi-identifier. */
function covers(label: string, original: string, hierarchy: HierarchyIndex | undefined): boolean {
  if (label === original) return true;
  if (hierarchy?.labels.has(label)) return hierarchy.ancestors.get(original)?.has(label) === true;
  const range = parseRange(label);
  return (
    range !== undefined &&
    numeric(original) &&
    range[0] <= Number(original) &&
    Number(original) <= range[1]
  );
}

/**
 * k′ of an estimated k-map model, recomputed from the definition with the plain recurrence
 * P(X = 0) = e^−λ, P(X = i) = P(X = i − 1)·λ/i (the engine sums in log space).
 */
function derivedK(model: KMapEstimatorModel, n: number): number {
  const f = model.samplingFraction ?? n / (model.populationSize as number);
  const lambda = f * model.k;
  const truncated = model.estimator === "zero-truncated-poisson";
  let p = Math.exp(-lambda);
  const mass = truncated ? 1 - p : 1;
  let cdf = truncated ? 0 : p;
  let c = 0;
  const offset = truncated ? 1 : 2;
  if (truncated) {
    c = 1;
    p *= lambda;
    cdf = p / mass;
  }
  const threshold = 1 - model.significanceLevel;
  const reached = (): boolean => threshold < 1 && cdf >= threshold;
  while (!reached() && c + 1 < model.k && c + offset < n) {
    c++;
    p = (p * lambda) / c;
    cdf += p / mass;
  }
  return c + 1 >= model.k ? Math.min(model.k, n) : Math.min(model.k, c + offset, n);
}

/** Population records matching each class (classes given as label tuples). */
function populationCounts(
  labels: readonly (readonly string[])[],
  quasiIdentifiers: readonly string[],
  model: KMapPopulationModel,
  hierarchies: Readonly<Record<string, Hierarchy>> | undefined,
): number[] {
  const population = model.population;
  const columns = quasiIdentifiers.map((name) => columnIndex(population, name));
  const tuples = new Map<string, { values: string[]; count: number }>();
  for (let row = 0; row < population.rowCount; row++) {
    const values = columns.map((c) => (c < 0 ? "" : value(population, c, row)));
    const key = JSON.stringify(values);
    const entry = tuples.get(key);
    if (entry === undefined) tuples.set(key, { values, count: 1 });
    else entry.count++;
  }
  const indexes = quasiIdentifiers.map((name) => {
    const hierarchy = hierarchies?.[name];
    return hierarchy === undefined ? undefined : indexHierarchy(hierarchy);
  });
  return labels.map((classLabels) => {
    let count = 0;
    for (const { values, count: records } of tuples.values()) {
      const inside = classLabels.every((label, j) =>
        covers(label, values[j] as string, indexes[j]),
      );
      if (inside) count += records;
    }
    return count;
  });
}

/**
 * Verifies a privacy model on a released table, independently of the search: it regroups
 * the released (non-suppressed) rows by the string values of their quasi-identifiers and
 * recomputes every class's statistics from scratch. t-closeness compares with the
 * distribution of the sensitive column over all rows (suppressed rows keep their sensitive
 * value, so this is the input's distribution). Thresholds use a 1e-9 relative tolerance.
 *
 * k-map with a population table counts, per class, the population rows whose every
 * quasi-identifier value is covered by the class's label (equal, an ancestor in
 * `options.hierarchies`, or a range containing it); with an estimator it recomputes k′ from
 * the Poisson definition and checks the class sizes against it (n = all rows of `output`).
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
  options: CheckPrivacyModelOptions = {},
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
  if (model.type === "k-map") {
    let violating: number;
    if ("population" in model) {
      const labels = [...classes.keys()].map((key) => JSON.parse(key) as string[]);
      const counts = populationCounts(labels, quasiIdentifiers, model, options.hierarchies);
      violating = counts.filter((count) => count < model.k).length;
    } else {
      const k = derivedK(model, output.rowCount);
      violating = sizes.filter((size) => size < k).length;
    }
    return { satisfied: violating === 0, violatingClasses: violating };
  }
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
    let passes = true;
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
