import { CustosError } from "../errors/index.ts";
import type {
  AnonymiseConfig,
  AnonymiseOptions,
  SearchStrategy,
  UtilityMetric,
} from "./AnonymiseConfig.ts";
import { estimateKMapThreshold, type KMapEstimate } from "./estimateKMapThreshold.ts";
import { mondrianDimensions } from "./mondrianDimensions.ts";
import { mondrianPartition } from "./mondrianPartition.ts";
import { mondrianRelease } from "./mondrianRelease.ts";
import { type NodeEvaluation, NodeEvaluator } from "./NodeEvaluator.ts";
import { type PreparedData, prepareData } from "./prepareData.ts";
import { computeRiskReport, type RiskReport } from "./riskReport.ts";
import { searchLattice } from "./searchLattice.ts";
import type { Table } from "./Table.ts";
import type { UtilityReport } from "./UtilityReport.ts";
import { createMetricModel, lossByAttribute } from "./utilityMetrics.ts";
import { validateAnonymiseConfig } from "./validateAnonymiseConfig.ts";

/** The result of {@link anonymise}. */
export interface AnonymiseResult {
  /** Quasi-identifier names, in the table's column order. */
  readonly quasiIdentifiers: readonly string[];
  /**
   * Full-domain searches: the generalisation level per quasi-identifier (same order).
   * Mondrian: empty, as each class has its own generalisation (local recoding).
   */
  readonly transformation: readonly number[];
  /** `full-domain` for the lattice searches, `local` for Mondrian. */
  readonly recoding: "full-domain" | "local";
  /**
   * The release: identifiers removed, quasi-identifiers generalised, suppressed records'
   * quasi-identifiers replaced by `*`, other columns unchanged.
   */
  readonly output: Table;
  /** Row → 1 when the record is suppressed. */
  readonly suppressedRows: Uint8Array;
  readonly metrics: UtilityReport;
  readonly risk: RiskReport;
  /** The k′ each estimated k-map model stood for, in model order (empty without one). */
  readonly kMapEstimates: readonly KMapEstimate[];
  readonly search: {
    readonly strategy: SearchStrategy;
    /** Nodes of the (level-bounded) lattice; 0 for Mondrian. */
    readonly latticeSize: number;
    /**
     * Lattice nodes whose equivalence classes were computed; for Mondrian, candidate
     * partitions checked against the models.
     */
    readonly checks: number;
    /** Mondrian: partitions cut; 0 for the lattice searches. */
    readonly splits: number;
  };
}

function buildOutput(
  table: Table,
  prepared: PreparedData,
  levels: readonly number[],
  evaluation: NodeEvaluation,
  roles: ReadonlyMap<string, string>,
): { output: Table; suppressedRows: Uint8Array } {
  const rows = table.rowCount;
  const suppressedRows = new Uint8Array(rows);
  const { classOf, suppressed } = evaluation;
  const tupleSuppressed = new Uint8Array(prepared.tupleCount);
  for (let t = 0; t < prepared.tupleCount; t++) {
    tupleSuppressed[t] = suppressed[classOf[t] as number] as number;
  }
  for (let r = 0; r < rows; r++) {
    suppressedRows[r] = tupleSuppressed[prepared.rowTuple[r] as number] as number;
  }
  const columns: string[] = [];
  const dictionaries: (readonly string[])[] = [];
  const codes: Int32Array[] = [];
  let qiIndex = 0;
  table.columns.forEach((name, c) => {
    const role = roles.get(name);
    if (role === "identifier") return;
    columns.push(name);
    if (role !== "quasi-identifier") {
      dictionaries.push(table.dictionaries[c] as readonly string[]);
      codes.push((table.codes[c] as Int32Array).slice());
      return;
    }
    const j = qiIndex++;
    const qi = prepared.quasiIdentifiers[j] as PreparedData["quasiIdentifiers"][number];
    const level = levels[j] as number;
    const labels = [...(qi.labels[level] as readonly string[])];
    let star = labels.indexOf("*");
    if (star < 0 && evaluation.suppressedRecords > 0) {
      star = labels.length;
      labels.push("*");
    }
    const labelOf = qi.labelOf[level] as Int32Array;
    const leaves = prepared.tupleLeaf[j] as Int32Array;
    const column = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const t = prepared.rowTuple[r] as number;
      column[r] = tupleSuppressed[t] === 1 ? star : (labelOf[leaves[t] as number] as number);
    }
    dictionaries.push(labels);
    codes.push(column);
  });
  return { output: { columns, rowCount: rows, dictionaries, codes }, suppressedRows };
}

function kMapEstimates(config: AnonymiseConfig, rows: number): KMapEstimate[] {
  const estimates: KMapEstimate[] = [];
  for (const model of config.models) {
    if (model.type === "k-map" && !("population" in model)) {
      estimates.push(estimateKMapThreshold(model, rows));
    }
  }
  return estimates;
}

function noSolution(config: AnonymiseConfig): CustosError {
  return new CustosError(
    "ANONYMISE_NO_SOLUTION",
    "no generalisation satisfies the privacy models within the suppression limit",
    {
      details: {
        models: config.models.map((m) => m.type),
        suppressionLimit: config.suppressionLimit,
        search: config.search,
      },
    },
  );
}

function anonymiseMondrian(
  table: Table,
  config: AnonymiseConfig,
  prepared: PreparedData,
  roles: ReadonlyMap<string, string>,
): AnonymiseResult {
  const dimensions = mondrianDimensions(prepared, config);
  const partitioning = mondrianPartition(
    prepared,
    config,
    dimensions,
    table.dictionaries,
    table.columns,
  );
  if (partitioning === undefined) throw noSolution(config);
  const release = mondrianRelease(table, prepared, dimensions, partitioning, roles, config.metric);
  config.onProgress?.(1);
  return {
    quasiIdentifiers: prepared.quasiIdentifiers.map((qi) => qi.name),
    transformation: [],
    recoding: "local",
    output: release.output,
    suppressedRows: release.suppressedRows,
    metrics: release.metrics,
    risk: computeRiskReport(
      release.releasedClassSizes,
      partitioning.suppressedRecords,
      release.releasedClassPopulations,
    ),
    kMapEstimates: kMapEstimates(config, prepared.rowCount),
    search: {
      strategy: "mondrian",
      latticeSize: 0,
      checks: partitioning.checks,
      splits: partitioning.splits,
    },
  };
}

/**
 * Anonymises a table by optimal full-domain generalisation with record suppression: finds
 * the level per quasi-identifier that satisfies every privacy model, suppressing violating
 * equivalence classes within the suppression limit, and minimises the chosen utility metric
 * (ARX's Loss by default). With `search: "mondrian"` it instead runs strict multidimensional
 * Mondrian (local recoding: each equivalence class gets its own ranges / hierarchy
 * ancestors), a heuristic without optimality guarantee for many quasi-identifiers or rows.
 * k-map models hold against a population table (each class matches ≥ k of its records) or
 * a Poisson estimate (k′-anonymity, see {@link estimateKMapThreshold}) in both strategies.
 * Returns the release with its transformation, utility metrics and re-identification risk
 * report (linked against the k-map population when there is one). Pure and deterministic.
 *
 * @throws ANONYMISE_CONFIG_INVALID when the configuration is invalid (names the attribute,
 *   model or field) or the lattice exceeds `maxLatticeNodes`.
 * @throws ANONYMISE_HIERARCHY_INVALID when a data (or k-map population) value is missing
 *   from its hierarchy.
 * @throws ANONYMISE_POPULATION_INVALID when a k-map population table is not a superset of the
 *   sample.
 * @throws ANONYMISE_NO_SOLUTION when no transformation satisfies the models.
 * @example
 * ```ts
 * const result = anonymise(table, {
 *   attributes: { age: { role: "quasi-identifier", hierarchy: age }, diagnosis: { role: "sensitive" } },
 *   models: [{ type: "k-anonymity", k: 5 }],
 *   suppressionLimit: 0.05,
 * });
 * result.transformation; // e.g. [2]
 * ```
 */
export function anonymise(table: Table, options: AnonymiseOptions): AnonymiseResult {
  const config = validateAnonymiseConfig(table, options);
  const prepared = prepareData(table, config);
  const roles = new Map(Object.entries(config.attributes).map(([name, a]) => [name, a.role]));
  if (config.search === "mondrian") return anonymiseMondrian(table, config, prepared, roles);
  const latticeSize = prepared.quasiIdentifiers.reduce(
    (n, qi) => n * (qi.maxLevel - qi.minLevel + 1),
    1,
  );
  if (latticeSize > config.maxLatticeNodes) {
    throw new CustosError(
      "ANONYMISE_CONFIG_INVALID",
      `the generalisation lattice has ${latticeSize} nodes, more than maxLatticeNodes (${config.maxLatticeNodes})`,
      {
        details: { field: "maxLatticeNodes", latticeSize, maxLatticeNodes: config.maxLatticeNodes },
      },
    );
  }
  const evaluator = new NodeEvaluator(prepared, config, table.dictionaries, table.columns);
  const objective = createMetricModel(prepared, config.metric);
  const found = searchLattice(prepared, config, evaluator, objective);
  if (found.levels === undefined) {
    throw noSolution(config);
  }
  const checks = found.checks;
  const levels = found.levels;
  const evaluation = evaluator.evaluate(levels);
  const { output, suppressedRows } = buildOutput(table, prepared, levels, evaluation, roles);
  const metricValue = (name: UtilityMetric): number =>
    createMetricModel(prepared, name).value(levels, evaluation);
  const released: number[] = [];
  const releasedPopulation: number[] = [];
  const { classPopulation } = evaluation;
  for (let c = 0; c < evaluation.classCount; c++) {
    if (evaluation.suppressed[c] === 1) continue;
    released.push(evaluation.classSize[c] as number);
    releasedPopulation.push(classPopulation?.[c] ?? 0);
  }
  return {
    quasiIdentifiers: prepared.quasiIdentifiers.map((qi) => qi.name),
    transformation: levels,
    recoding: "full-domain",
    output,
    suppressedRows,
    metrics: {
      objective: config.metric,
      value: found.value,
      loss: metricValue("loss"),
      lossByAttribute: lossByAttribute(prepared, levels, evaluation),
      entropy: metricValue("entropy"),
      discernibility: metricValue("discernibility"),
      precision: metricValue("precision"),
    },
    risk: computeRiskReport(
      released,
      evaluation.suppressedRecords,
      classPopulation === undefined ? undefined : releasedPopulation,
    ),
    kMapEstimates: kMapEstimates(config, prepared.rowCount),
    search: { strategy: config.search, latticeSize, checks, splits: 0 },
  };
}
