import { CustosError } from "../errors/index.ts";
import type { AnonymiseConfig, QuasiIdentifierConfig } from "./AnonymiseConfig.ts";
import { Grouper } from "./Grouper.ts";
import type { Table } from "./Table.ts";

/** A quasi-identifier encoded against its hierarchy. */
export interface EncodedQuasiIdentifier {
  readonly name: string;
  /** Column index in the input table. */
  readonly column: number;
  /** Number of levels (level 0 included). */
  readonly levels: number;
  /** Lowest and highest level the search may use. */
  readonly minLevel: number;
  readonly maxLevel: number;
  /** Number of hierarchy rows (ARX's domain size for the Loss metric). */
  readonly domainSize: number;
  /** Table dictionary code → hierarchy row ("leaf"). */
  readonly leafOfCode: Int32Array;
  /** Per level: leaf → label id at that level. */
  readonly labelOf: readonly Int32Array[];
  /** Per level: label id → label. */
  readonly labels: readonly (readonly string[])[];
  /** Per level: leaf → number of hierarchy rows sharing its label at that level. */
  readonly groupSize: readonly Int32Array[];
  /** Leaf → number of table rows with that value. */
  readonly frequency: Float64Array;
}

/** Per-tuple histograms of one sensitive attribute, in compressed sparse rows. */
export interface EncodedSensitiveAttribute {
  readonly name: string;
  readonly column: number;
  /** Number of distinct values (the table dictionary's size). */
  readonly domain: number;
  /** Tuple `t`'s entries are `[start[t], start[t + 1])`. */
  readonly start: Int32Array;
  readonly values: Int32Array;
  readonly counts: Int32Array;
  /** Value code → number of table rows with it. */
  readonly frequency: Float64Array;
}

/**
 * The population of a k-map model, collapsed like the sample: distinct quasi-identifier
 * tuples (as leaves of the sample's hierarchies) with their record counts.
 */
export interface EncodedPopulation {
  /** The model's k: population records each released class must match. */
  readonly k: number;
  readonly rowCount: number;
  readonly tupleCount: number;
  /** Per quasi-identifier: population tuple → leaf. */
  readonly tupleLeaf: readonly Int32Array[];
  /** Population tuple → number of population records. */
  readonly tupleSize: Int32Array;
}

/**
 * The input collapsed once for the search: the distinct quasi-identifier tuples (as leaves)
 * with their record counts, each row's tuple, and per-tuple sensitive histograms.
 */
export interface PreparedData {
  readonly rowCount: number;
  readonly quasiIdentifiers: readonly EncodedQuasiIdentifier[];
  readonly tupleCount: number;
  /** Per quasi-identifier: tuple → leaf. */
  readonly tupleLeaf: readonly Int32Array[];
  /** Tuple → number of records. */
  readonly tupleSize: Int32Array;
  /** Row → tuple. */
  readonly rowTuple: Int32Array;
  readonly sensitive: ReadonlyMap<string, EncodedSensitiveAttribute>;
  /** The k-map population, when a k-map model has a population table. */
  readonly population: EncodedPopulation | undefined;
}

/** Maps a column's dictionary codes to hierarchy rows ("leaves"). */
function leavesOf(
  table: Table,
  column: number,
  name: string,
  attribute: QuasiIdentifierConfig,
  population?: string,
): Int32Array {
  const leafByValue = new Map<string, number>();
  attribute.hierarchy.rows.forEach((row, leaf) => {
    leafByValue.set(row[0] as string, leaf);
  });
  const dictionary = table.dictionaries[column] as readonly string[];
  const leafOfCode = new Int32Array(dictionary.length);
  dictionary.forEach((value, code) => {
    const leaf = leafByValue.get(value);
    if (leaf === undefined) {
      const row = (table.codes[column] as Int32Array).indexOf(code) + 1;
      const where = population === undefined ? "data row" : "population row";
      throw new CustosError(
        "ANONYMISE_HIERARCHY_INVALID",
        `value "${value}" of "${name}" (${where} ${row}) is missing from its hierarchy`,
        {
          details: {
            attribute: name,
            value,
            row,
            ...(population === undefined ? {} : { table: "population", field: population }),
          },
        },
      );
    }
    leafOfCode[code] = leaf;
  });
  return leafOfCode;
}

/**
 * Collapses a k-map population into leaf tuples and checks it covers the sample: no
 * quasi-identifier combination may be more frequent in the sample than in the population.
 */
function encodePopulation(
  population: Table,
  k: number,
  field: string,
  config: AnonymiseConfig,
  quasiIdentifiers: readonly EncodedQuasiIdentifier[],
  sample: { tupleCount: number; tupleLeaf: readonly Int32Array[]; tupleSize: Int32Array },
): EncodedPopulation {
  const columns = quasiIdentifiers.map((qi) => population.columns.indexOf(qi.name));
  const leafMaps = quasiIdentifiers.map((qi, j) =>
    leavesOf(
      population,
      columns[j] as number,
      qi.name,
      config.attributes[qi.name] as QuasiIdentifierConfig,
      field,
    ),
  );
  const rowTuple = new Int32Array(population.rowCount);
  const tupleCount = new Grouper().group(
    population.rowCount,
    quasiIdentifiers.map((qi, j) => ({
      codes: population.codes[columns[j] as number] as Int32Array,
      map: leafMaps[j] as Int32Array,
      radix: qi.domainSize,
    })),
    rowTuple,
  );
  const tupleSize = new Int32Array(tupleCount);
  const tupleLeaf = quasiIdentifiers.map(() => new Int32Array(tupleCount));
  const seen = new Uint8Array(tupleCount);
  for (let row = 0; row < population.rowCount; row++) {
    const t = rowTuple[row] as number;
    tupleSize[t] = (tupleSize[t] as number) + 1;
    if (seen[t] === 1) continue;
    seen[t] = 1;
    leafMaps.forEach((leafOfCode, j) => {
      const code = (population.codes[columns[j] as number] as Int32Array)[row] as number;
      (tupleLeaf[j] as Int32Array)[t] = leafOfCode[code] as number;
    });
  }
  // Sample tuples are distinct and grouped first, so a population tuple with group id < T is
  // the sample tuple with that id.
  const T = sample.tupleCount;
  const ids = new Int32Array(T + tupleCount);
  new Grouper().group(
    T + tupleCount,
    quasiIdentifiers.map((qi, j) => {
      const codes = new Int32Array(T + tupleCount);
      codes.set(sample.tupleLeaf[j] as Int32Array);
      codes.set(tupleLeaf[j] as Int32Array, T);
      return { codes, map: identity(qi.domainSize), radix: qi.domainSize };
    }),
    ids,
  );
  const covered = new Float64Array(T);
  for (let p = 0; p < tupleCount; p++) {
    const id = ids[T + p] as number;
    if (id < T) covered[id] = (covered[id] as number) + (tupleSize[p] as number);
  }
  for (let t = 0; t < T; t++) {
    const records = sample.tupleSize[t] as number;
    if ((covered[t] as number) >= records) continue;
    const values = Object.fromEntries(
      quasiIdentifiers.map((qi, j) => [
        qi.name,
        (qi.labels[0] as readonly string[])[(sample.tupleLeaf[j] as Int32Array)[t] as number],
      ]),
    );
    throw new CustosError(
      "ANONYMISE_POPULATION_INVALID",
      `${field}: the population is not a superset of the sample: ${JSON.stringify(values)} occurs ${records} times in the sample, ${covered[t]} in the population`,
      { details: { field, values, sampleRecords: records, populationRecords: covered[t] } },
    );
  }
  return { k, rowCount: population.rowCount, tupleCount, tupleLeaf, tupleSize };
}

function identity(size: number): Int32Array {
  const map = new Int32Array(size);
  for (let i = 0; i < size; i++) map[i] = i;
  return map;
}

function encodeQuasiIdentifier(
  table: Table,
  column: number,
  name: string,
  attribute: QuasiIdentifierConfig,
): EncodedQuasiIdentifier {
  const rows = attribute.hierarchy.rows;
  const levels = (rows[0] as readonly string[]).length;
  const labelOf: Int32Array[] = [];
  const labels: string[][] = [];
  const groupSize: Int32Array[] = [];
  for (let level = 0; level < levels; level++) {
    const ids = new Map<string, number>();
    const of = new Int32Array(rows.length);
    const names: string[] = [];
    rows.forEach((row, leaf) => {
      const label = row[level] as string;
      let id = ids.get(label);
      if (id === undefined) {
        id = names.length;
        ids.set(label, id);
        names.push(label);
      }
      of[leaf] = id;
    });
    const sizes = new Int32Array(names.length);
    for (const id of of) sizes[id] = (sizes[id] as number) + 1;
    labelOf.push(of);
    labels.push(names);
    groupSize.push(of.map((id) => sizes[id] as number));
  }
  const leafOfCode = leavesOf(table, column, name, attribute);
  const frequency = new Float64Array(rows.length);
  for (const code of table.codes[column] as Int32Array) {
    const leaf = leafOfCode[code] as number;
    frequency[leaf] = (frequency[leaf] as number) + 1;
  }
  return {
    name,
    column,
    levels,
    minLevel: attribute.minLevel ?? 0,
    maxLevel: attribute.maxLevel ?? levels - 1,
    domainSize: rows.length,
    leafOfCode,
    labelOf,
    labels,
    groupSize,
    frequency,
  };
}

function encodeSensitive(
  table: Table,
  column: number,
  name: string,
  rowTuple: Int32Array,
  tupleSize: Int32Array,
): EncodedSensitiveAttribute {
  const codes = table.codes[column] as Int32Array;
  const domain = (table.dictionaries[column] as readonly string[]).length;
  const tuples = tupleSize.length;
  const offset = new Int32Array(tuples + 1);
  for (let t = 0; t < tuples; t++) offset[t + 1] = (offset[t] as number) + (tupleSize[t] as number);
  const fill = offset.slice(0, tuples);
  const sorted = new Int32Array(codes.length);
  for (let row = 0; row < codes.length; row++) {
    const t = rowTuple[row] as number;
    sorted[fill[t] as number] = codes[row] as number;
    fill[t] = (fill[t] as number) + 1;
  }
  const scratch = new Int32Array(domain);
  const touched: number[] = [];
  const start = new Int32Array(tuples + 1);
  const values: number[] = [];
  const counts: number[] = [];
  const frequency = new Float64Array(domain);
  for (let t = 0; t < tuples; t++) {
    for (let i = offset[t] as number; i < (offset[t + 1] as number); i++) {
      const v = sorted[i] as number;
      if (scratch[v] === 0) touched.push(v);
      scratch[v] = (scratch[v] as number) + 1;
    }
    touched.sort((a, b) => a - b);
    for (const v of touched) {
      values.push(v);
      counts.push(scratch[v] as number);
      frequency[v] = (frequency[v] as number) + (scratch[v] as number);
      scratch[v] = 0;
    }
    touched.length = 0;
    start[t + 1] = values.length;
  }
  return {
    name,
    column,
    domain,
    start,
    values: Int32Array.from(values),
    counts: Int32Array.from(counts),
    frequency,
  };
}

/**
 * Encodes a table for the search: maps each quasi-identifier value to its hierarchy row,
 * collapses rows into distinct quasi-identifier tuples with counts, builds per-tuple
 * histograms of the sensitive attributes the models name, and collapses a k-map model's
 * population table the same way.
 *
 * @throws ANONYMISE_HIERARCHY_INVALID when a data (or k-map population) value is missing
 *   from its hierarchy, naming the attribute, the value and the first row holding it.
 * @throws ANONYMISE_POPULATION_INVALID when a k-map population is not a superset of the
 *   sample (a quasi-identifier combination more frequent in the sample).
 * @example
 * ```ts
 * const prepared = prepareData(table, validateAnonymiseConfig(table, options));
 * ```
 */
export function prepareData(table: Table, config: AnonymiseConfig): PreparedData {
  const quasiIdentifiers: EncodedQuasiIdentifier[] = [];
  table.columns.forEach((name, column) => {
    const attribute = config.attributes[name];
    if (attribute?.role === "quasi-identifier") {
      quasiIdentifiers.push(encodeQuasiIdentifier(table, column, name, attribute));
    }
  });
  const rowTuple = new Int32Array(table.rowCount);
  const tupleCount = new Grouper().group(
    table.rowCount,
    quasiIdentifiers.map((qi) => ({
      codes: table.codes[qi.column] as Int32Array,
      map: qi.leafOfCode,
      radix: qi.domainSize,
    })),
    rowTuple,
  );
  const tupleSize = new Int32Array(tupleCount);
  const tupleLeaf = quasiIdentifiers.map(() => new Int32Array(tupleCount));
  const seen = new Uint8Array(tupleCount);
  for (let row = 0; row < table.rowCount; row++) {
    const t = rowTuple[row] as number;
    tupleSize[t] = (tupleSize[t] as number) + 1;
    if (seen[t] === 0) {
      seen[t] = 1;
      quasiIdentifiers.forEach((qi, j) => {
        const code = (table.codes[qi.column] as Int32Array)[row] as number;
        (tupleLeaf[j] as Int32Array)[t] = qi.leafOfCode[code] as number;
      });
    }
  }
  const sensitive = new Map<string, EncodedSensitiveAttribute>();
  for (const model of config.models) {
    if ("attribute" in model && !sensitive.has(model.attribute)) {
      const column = table.columns.indexOf(model.attribute);
      sensitive.set(
        model.attribute,
        encodeSensitive(table, column, model.attribute, rowTuple, tupleSize),
      );
    }
  }
  const modelIndex = config.models.findIndex((m) => m.type === "k-map" && "population" in m);
  const kMap = config.models[modelIndex];
  const population =
    kMap !== undefined && kMap.type === "k-map" && "population" in kMap
      ? encodePopulation(
          kMap.population,
          kMap.k,
          `models[${modelIndex}].population`,
          config,
          quasiIdentifiers,
          { tupleCount, tupleLeaf, tupleSize },
        )
      : undefined;
  return {
    rowCount: table.rowCount,
    quasiIdentifiers,
    tupleCount,
    tupleLeaf,
    tupleSize,
    rowTuple,
    sensitive,
    population,
  };
}
