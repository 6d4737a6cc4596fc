import { CustosError } from "../errors/index.ts";
import {
  type AnonymiseConfig,
  type AnonymiseOptions,
  defaultAnonymiseConfig,
  type QuasiIdentifierConfig,
} from "./AnonymiseConfig.ts";
import type {
  KMapEstimatorModel,
  KMapModel,
  KMapPopulationModel,
  PrivacyModel,
} from "./PrivacyModel.ts";
import type { Table } from "./Table.ts";

function invalid(message: string, details: Record<string, unknown>): never {
  throw new CustosError("ANONYMISE_CONFIG_INVALID", message, { details });
}

const roles = new Set(["identifier", "quasi-identifier", "sensitive", "insensitive"]);
const metrics = new Set(["loss", "entropy", "discernibility", "precision"]);
const searches = new Set(["optimal", "exhaustive", "mondrian"]);

function checkSensitive(table: Table, config: AnonymiseConfig, model: PrivacyModel, i: number) {
  if (!("attribute" in model)) return;
  const attribute = config.attributes[model.attribute];
  if (attribute?.role !== "sensitive") {
    invalid(`models[${i}] (${model.type}) names "${model.attribute}", not a sensitive attribute`, {
      field: `models[${i}].attribute`,
      attribute: model.attribute,
    });
  }
  if (model.type === "t-closeness" && model.order !== undefined) {
    const column = table.columns.indexOf(model.attribute);
    const order = new Set(model.order);
    if (order.size !== model.order.length) {
      invalid(`models[${i}].order repeats a value`, { field: `models[${i}].order` });
    }
    for (const value of table.dictionaries[column] ?? []) {
      if (!order.has(value)) {
        invalid(`models[${i}].order lacks value "${value}" of "${model.attribute}"`, {
          field: `models[${i}].order`,
          attribute: model.attribute,
          value,
        });
      }
    }
  }
}

function checkLevels(column: string, attribute: QuasiIdentifierConfig): void {
  const top = (attribute.hierarchy.rows[0]?.length ?? 1) - 1;
  const min = attribute.minLevel ?? 0;
  const max = attribute.maxLevel ?? top;
  for (const [field, level] of [
    ["minLevel", min],
    ["maxLevel", max],
  ] as const) {
    if (!Number.isInteger(level) || level < 0 || level > top) {
      invalid(`quasi-identifier "${column}": ${field} must be an integer level in [0, ${top}]`, {
        attribute: column,
        field: `attributes.${column}.${field}`,
        value: level,
      });
    }
  }
  if (min > max) {
    invalid(`quasi-identifier "${column}": minLevel ${min} exceeds maxLevel ${max}`, {
      attribute: column,
      field: `attributes.${column}.minLevel`,
    });
  }
  const split = attribute.split;
  if (split !== undefined && split !== "range" && split !== "hierarchy") {
    invalid(`quasi-identifier "${column}": split must be "range" or "hierarchy"`, {
      attribute: column,
      field: `attributes.${column}.split`,
    });
  }
  if (split === "range" && (min > 0 || max < top)) {
    invalid(`quasi-identifier "${column}": a range split cannot honour level bounds`, {
      attribute: column,
      field: `attributes.${column}.split`,
    });
  }
}

const estimators = new Set(["poisson", "zero-truncated-poisson"]);

function isTable(value: unknown): value is Table {
  if (typeof value !== "object" || value === null) return false;
  const table = value as Partial<Table>;
  return (
    Array.isArray(table.columns) &&
    Number.isInteger(table.rowCount) &&
    Array.isArray(table.dictionaries) &&
    Array.isArray(table.codes) &&
    table.codes.length === table.columns.length &&
    table.dictionaries.length === table.columns.length &&
    table.codes.every((codes) => codes instanceof Int32Array && codes.length === table.rowCount)
  );
}

function checkKMap(
  model: KMapModel,
  rows: number,
  bad: (name: string, rule: string) => never,
): void {
  if (!Number.isInteger(model.k) || model.k < 1) bad("k", "an integer ≥ 1");
  const fields = model as Partial<KMapPopulationModel & KMapEstimatorModel>;
  if (fields.population !== undefined) {
    for (const key of ["estimator", "significanceLevel", "populationSize", "samplingFraction"]) {
      if (key in model) bad(key, "absent when a population table is given");
    }
    if (!isTable(fields.population)) bad("population", "a Table (columns, rowCount, codes)");
    return;
  }
  if (fields.estimator === undefined) {
    bad("population", 'given, or an "estimator" with the population size');
  }
  if (!estimators.has(fields.estimator)) bad("estimator", '"poisson" or "zero-truncated-poisson"');
  const alpha = fields.significanceLevel;
  if (!(typeof alpha === "number" && alpha >= 0 && alpha <= 1)) {
    bad("significanceLevel", "a number in [0, 1]");
  }
  const { populationSize, samplingFraction } = fields;
  if ((populationSize === undefined) === (samplingFraction === undefined)) {
    bad("populationSize", "given, or samplingFraction, but not both");
  }
  if (
    populationSize !== undefined &&
    !(Number.isFinite(populationSize) && populationSize >= rows)
  ) {
    bad("populationSize", `a number ≥ the sample's ${rows} rows`);
  }
  if (
    samplingFraction !== undefined &&
    !(Number.isFinite(samplingFraction) && samplingFraction > 0 && samplingFraction <= 1)
  ) {
    bad("samplingFraction", "in (0, 1]");
  }
}

/** At most one k-map population, holding every quasi-identifier column. */
function checkPopulations(config: AnonymiseConfig): void {
  let seen = -1;
  config.models.forEach((model, i) => {
    if (model.type !== "k-map" || !("population" in model)) return;
    if (seen >= 0) {
      invalid(
        `models[${i}]: only one k-map model may have a population table (models[${seen}] has one)`,
        {
          field: `models[${i}].population`,
        },
      );
    }
    seen = i;
    for (const [name, attribute] of Object.entries(config.attributes)) {
      if (attribute.role === "quasi-identifier" && !model.population.columns.includes(name)) {
        invalid(`models[${i}].population lacks the quasi-identifier column "${name}"`, {
          field: `models[${i}].population`,
          attribute: name,
        });
      }
    }
  });
}

function checkModel(model: PrivacyModel, i: number, rows: number): void {
  const field = `models[${i}]`;
  const bad = (name: string, rule: string): never =>
    invalid(`${field}.${name} must be ${rule}`, { field: `${field}.${name}`, model: model.type });
  switch (model.type) {
    case "k-anonymity":
      if (!Number.isInteger(model.k) || model.k < 1) bad("k", "an integer ≥ 1");
      return;
    case "distinct-l-diversity":
      if (!Number.isInteger(model.l) || model.l < 1) bad("l", "an integer ≥ 1");
      return;
    case "entropy-l-diversity":
      if (!Number.isFinite(model.l) || model.l < 1) bad("l", "a number ≥ 1");
      return;
    case "recursive-cl-diversity":
      if (!Number.isInteger(model.l) || model.l < 2) bad("l", "an integer ≥ 2");
      if (!Number.isFinite(model.c) || model.c <= 0) bad("c", "a number > 0");
      return;
    case "t-closeness":
      if (!(model.t >= 0 && model.t <= 1)) bad("t", "in [0, 1]");
      if (model.distance !== "equal" && model.distance !== "ordered") {
        bad("distance", '"equal" or "ordered"');
      }
      return;
    case "average-risk":
      if (!(model.threshold > 0 && model.threshold <= 1)) bad("threshold", "in (0, 1]");
      return;
    case "k-map":
      checkKMap(model, rows, bad);
      return;
    default:
      invalid(`${field}.type is not a known privacy model`, {
        field: `${field}.type`,
        type: (model as { type?: unknown }).type,
      });
  }
}

/**
 * Applies defaults and validates an anonymisation configuration against a table: every
 * column has a valid role, every quasi-identifier a hierarchy, every model valid parameters
 * and, where it has one, a sensitive attribute.
 *
 * @throws ANONYMISE_CONFIG_INVALID naming the column, model or field at fault.
 * @example
 * ```ts
 * const config = validateAnonymiseConfig(table, { attributes, models: [{ type: "k-anonymity", k: 5 }] });
 * ```
 */
export function validateAnonymiseConfig(table: Table, options: AnonymiseOptions): AnonymiseConfig {
  const config: AnonymiseConfig = { ...defaultAnonymiseConfig, ...options };
  for (const name of Object.keys(config.attributes)) {
    if (!table.columns.includes(name)) {
      invalid(`attribute "${name}" is not a column of the table`, { attribute: name });
    }
  }
  let quasiIdentifiers = 0;
  for (const column of table.columns) {
    const attribute = Object.hasOwn(config.attributes, column)
      ? config.attributes[column]
      : undefined;
    if (attribute === undefined) {
      invalid(`column "${column}" has no role`, { attribute: column, field: "attributes" });
    }
    if (!roles.has(attribute.role)) {
      invalid(`column "${column}" has an unknown role`, {
        attribute: column,
        role: attribute.role,
      });
    }
    if (attribute.role === "quasi-identifier") {
      quasiIdentifiers++;
      if (!Array.isArray(attribute.hierarchy?.rows)) {
        invalid(`quasi-identifier "${column}" has no hierarchy`, { attribute: column });
      }
      checkLevels(column, attribute);
    }
  }
  if (quasiIdentifiers === 0) {
    invalid("at least one column must be a quasi-identifier", { field: "attributes" });
  }
  if (!Array.isArray(config.models) || config.models.length === 0) {
    invalid("at least one privacy model is required", { field: "models" });
  }
  config.models.forEach((model, i) => {
    checkModel(model, i, table.rowCount);
    checkSensitive(table, config, model, i);
  });
  checkPopulations(config);
  if (!(config.suppressionLimit >= 0 && config.suppressionLimit <= 1)) {
    invalid("suppressionLimit must be in [0, 1]", {
      field: "suppressionLimit",
      value: config.suppressionLimit,
    });
  }
  if (!metrics.has(config.metric)) {
    invalid("metric must be loss, entropy, discernibility or precision", { field: "metric" });
  }
  if (!searches.has(config.search)) {
    invalid('search must be "optimal", "exhaustive" or "mondrian"', { field: "search" });
  }
  if (config.search === "mondrian") {
    config.models.forEach((model, i) => {
      if (model.type === "average-risk") {
        invalid(
          `models[${i}] (average-risk) is a property of the whole release, not of a partition: Mondrian cannot use it`,
          { field: `models[${i}].type`, search: "mondrian" },
        );
      }
    });
  }
  if (config.onProgress !== undefined && typeof config.onProgress !== "function") {
    invalid("onProgress must be a function", { field: "onProgress" });
  }
  if (!Number.isInteger(config.maxLatticeNodes) || config.maxLatticeNodes < 1) {
    invalid("maxLatticeNodes must be a positive integer", { field: "maxLatticeNodes" });
  }
  if (table.rowCount === 0) invalid("the table has no rows", { field: "table" });
  return config;
}
