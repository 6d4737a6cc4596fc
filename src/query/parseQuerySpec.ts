import { CustosError } from "../errors/index.ts";
import type {
  BinSpec,
  CohortSpec,
  ConceptRef,
  ConceptSet,
  DayWindow,
  Dimension,
  InclusionRule,
  MeasurementCriterion,
  MeasurementValue,
  MeasureSpec,
  OccurrenceCriterion,
  QuerySpec,
  Sex,
} from "./QuerySpec.ts";
import { omopDomains } from "./QuerySpec.ts";
import {
  childPointer,
  readArray,
  readBoolean,
  readEnum,
  readInteger,
  readNumber,
  readObject,
  readOptionalInteger,
  readOptionalNumber,
  readString,
  type SpecObject,
  specError,
} from "./specReader.ts";

/** Limits of the spec language: they bound the SQL a spec compiles to. */
export const querySpecLimits = Object.freeze({
  conceptSets: 32,
  conceptsPerSet: 1_000,
  inclusionRules: 32,
  measures: 16,
  histogramDimensions: 2,
  histogramCells: 2_000,
  quantileBins: 200,
  minAgeBandWidth: 5,
  /** Days: 200 years either side of the index date. */
  windowDays: 73_000,
});

/** Measure types that would release rows rather than statistics. */
const ROW_LEVEL_TYPES = new Set(["rows", "records", "list", "extract", "patients", "persons"]);

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const MAX_CONCEPT_ID = 2_147_483_647;

function measureRefused(pointer: string, rule: string, reason: string): never {
  throw new CustosError("QUERY_MEASURE_REFUSED", `query spec ${pointer}: ${reason}`, {
    details: { field: pointer, rule, reason },
  });
}

function conceptSetName(object: SpecObject, key: string, sets: ReadonlySet<string>): string {
  const name = readString(object, key, 40, NAME);
  if (!sets.has(name)) specError(childPointer(object.pointer, key), `no concept set "${name}"`);
  return name;
}

function window(object: SpecObject, key: string): DayWindow {
  const value = object.value[key];
  if (value === undefined) return { startDays: null, endDays: null };
  const w = readObject(value, childPointer(object.pointer, key), ["startDays", "endDays"]);
  const limit = querySpecLimits.windowDays;
  const startDays = readOptionalInteger(w, "startDays", -limit, limit);
  const endDays = readOptionalInteger(w, "endDays", -limit, limit);
  if (startDays !== null && endDays !== null && startDays > endDays) {
    specError(childPointer(w.pointer, "endDays"), "must not be before startDays");
  }
  return { startDays, endDays };
}

function conceptRef(value: unknown, pointer: string): ConceptRef {
  const ref = readObject(value, pointer, ["conceptId", "descendants"], ["conceptId"]);
  return {
    conceptId: readInteger(ref, "conceptId", 1, MAX_CONCEPT_ID),
    descendants: readBoolean(ref, "descendants", false),
  };
}

function conceptSet(value: unknown, pointer: string): ConceptSet {
  const set = readObject(value, pointer, ["include", "exclude"], ["include"]);
  const max = querySpecLimits.conceptsPerSet;
  return {
    include: readArray(set, "include", 1, max, conceptRef),
    exclude: readArray(set, "exclude", 0, max, conceptRef, []),
  };
}

function occurrence(value: unknown, pointer: string, sets: ReadonlySet<string>) {
  const o = readObject(
    value,
    pointer,
    ["domain", "conceptSet", "window"],
    ["domain", "conceptSet"],
  );
  return {
    domain: readEnum(o, "domain", omopDomains),
    conceptSet: conceptSetName(o, "conceptSet", sets),
    window: window(o, "window"),
  } satisfies OccurrenceCriterion;
}

function measurementCriterion(
  value: unknown,
  pointer: string,
  sets: ReadonlySet<string>,
): MeasurementCriterion {
  const m = readObject(
    value,
    pointer,
    ["conceptSet", "unitConceptId", "window", "min", "max"],
    ["conceptSet", "unitConceptId"],
  );
  const min = readOptionalNumber(m, "min", -1e9, 1e9);
  const max = readOptionalNumber(m, "max", -1e9, 1e9);
  if (min === null && max === null) specError(pointer, "needs min, max or both");
  if (min !== null && max !== null && min > max) {
    specError(childPointer(pointer, "max"), "must not be below min");
  }
  return {
    conceptSet: conceptSetName(m, "conceptSet", sets),
    unitConceptId: readInteger(m, "unitConceptId", 0, MAX_CONCEPT_ID),
    window: window(m, "window"),
    min,
    max,
  };
}

const CRITERIA = ["ageAtIndex", "sex", "has", "hasNot", "measurement"] as const;

function inclusionRule(value: unknown, pointer: string, sets: ReadonlySet<string>): InclusionRule {
  const rule = readObject(value, pointer, ["name", ...CRITERIA], ["name"]);
  const name = readString(rule, "name", 120);
  const present = CRITERIA.filter((key) => rule.value[key] !== undefined);
  if (present.length !== 1) {
    specError(pointer, `needs exactly one criterion of ${CRITERIA.join(", ")}`);
  }
  const key = present[0] as (typeof CRITERIA)[number];
  const at = childPointer(pointer, key);
  switch (key) {
    case "ageAtIndex": {
      const age = readObject(rule.value[key], at, ["min", "max"]);
      const min = readOptionalInteger(age, "min", 0, 150);
      const max = readOptionalInteger(age, "max", 0, 150);
      if (min === null && max === null) specError(at, "needs min, max or both");
      if (min !== null && max !== null && min > max) {
        specError(childPointer(at, "max"), "must not be below min");
      }
      return { name, ageAtIndex: { min, max } };
    }
    case "sex": {
      const values = readArray(rule, "sex", 1, 2, (item, itemPointer) => {
        if (item !== "female" && item !== "male") specError(itemPointer, "must be female or male");
        return item as Sex;
      });
      if (new Set(values).size !== values.length) specError(at, "has a duplicate");
      return { name, sex: [...values].sort() };
    }
    case "has":
      return { name, has: occurrence(rule.value[key], at, sets) };
    case "hasNot":
      return { name, hasNot: occurrence(rule.value[key], at, sets) };
    case "measurement":
      return { name, measurement: measurementCriterion(rule.value[key], at, sets) };
  }
}

function cohort(value: unknown, pointer: string, sets: ReadonlySet<string>): CohortSpec {
  const c = readObject(value, pointer, ["index", "observation", "inclusion"], ["index"]);
  const index = readObject(
    c.value.index,
    childPointer(pointer, "index"),
    ["domain", "conceptSet", "occurrence"],
    ["domain", "conceptSet"],
  );
  const observation = readObject(c.value.observation ?? {}, childPointer(pointer, "observation"), [
    "priorDays",
    "postDays",
  ]);
  return {
    index: {
      domain: readEnum(index, "domain", omopDomains),
      conceptSet: conceptSetName(index, "conceptSet", sets),
      occurrence: readEnum(index, "occurrence", ["first", "last"] as const, "first"),
    },
    observation: {
      priorDays: readInteger(observation, "priorDays", 0, querySpecLimits.windowDays, 0),
      postDays: readInteger(observation, "postDays", 0, querySpecLimits.windowDays, 0),
    },
    inclusion: readArray(
      c,
      "inclusion",
      0,
      querySpecLimits.inclusionRules,
      (rule, at) => inclusionRule(rule, at, sets),
      [],
    ),
  };
}

function dimension(value: unknown, pointer: string): Dimension {
  const d = readObject(value, pointer, ["dimension", "width", "from", "to"], ["dimension"]);
  const kind = readEnum(d, "dimension", ["sex", "ageBand", "indexYear"] as const);
  const extra = Object.keys(d.value).filter((key) => key !== "dimension");
  const allowed = kind === "ageBand" ? ["width"] : kind === "indexYear" ? ["from", "to"] : [];
  for (const key of extra) {
    if (!allowed.includes(key)) specError(childPointer(pointer, key), `not a field of ${kind}`);
  }
  if (kind === "sex") return { dimension: "sex" };
  if (kind === "ageBand") {
    const width = readInteger(d, "width", 1, 150);
    if (width < querySpecLimits.minAgeBandWidth) {
      measureRefused(
        childPointer(pointer, "width"),
        "ageBandWidth",
        `age bands narrower than ${querySpecLimits.minAgeBandWidth} years single out persons`,
      );
    }
    return { dimension: "ageBand", width };
  }
  const from = readInteger(d, "from", 1900, 2200);
  const to = readInteger(d, "to", 1900, 2200);
  if (to < from) specError(childPointer(pointer, "to"), "must not be before from");
  return { dimension: "indexYear", from, to };
}

/** Ages from here on share one open age band (the last), whatever the band width. */
export const AGE_BAND_CAP = 90;

/** Categories of a dimension, in release order (shared with the result builder). */
export function dimensionCategories(d: Dimension): string[] {
  switch (d.dimension) {
    case "sex":
      return ["female", "male", "other"];
    case "ageBand": {
      const open = Math.ceil(AGE_BAND_CAP / d.width);
      const bands: string[] = [];
      for (let band = 0; band < open; band++) {
        bands.push(`${band * d.width}-${(band + 1) * d.width - 1}`);
      }
      bands.push(`${open * d.width}+`);
      return bands;
    }
    case "indexYear": {
      const years = [`<${d.from}`];
      for (let year = d.from; year <= d.to; year++) years.push(String(year));
      years.push(`>${d.to}`);
      return years;
    }
  }
}

function dimensions(m: SpecObject, min: number, max: number): Dimension[] {
  const by = readArray(m, "by", min, max, dimension, []);
  const kinds = by.map((d) => d.dimension);
  if (new Set(kinds).size !== kinds.length) {
    specError(childPointer(m.pointer, "by"), "has a dimension twice");
  }
  const cells = by.reduce((product, d) => product * dimensionCategories(d).length, 1);
  if (cells > querySpecLimits.histogramCells) {
    measureRefused(
      childPointer(m.pointer, "by"),
      "maxCells",
      `${cells} cells exceed ${querySpecLimits.histogramCells}`,
    );
  }
  return by;
}

function measurementValue(m: SpecObject, key: string, sets: ReadonlySet<string>): MeasurementValue {
  const pointer = childPointer(m.pointer, key);
  const v = readObject(
    m.value[key],
    pointer,
    ["conceptSet", "unitConceptId", "window", "value"],
    ["conceptSet", "unitConceptId"],
  );
  return {
    conceptSet: conceptSetName(v, "conceptSet", sets),
    unitConceptId: readInteger(v, "unitConceptId", 0, MAX_CONCEPT_ID),
    window: window(v, "window"),
    value: readEnum(v, "value", ["first", "last"] as const, "first"),
  };
}

function bins(m: SpecObject): BinSpec {
  const pointer = childPointer(m.pointer, "bins");
  const b = readObject(
    m.value.bins,
    pointer,
    ["lower", "upper", "width"],
    ["lower", "upper", "width"],
  );
  const lower = readNumber(b, "lower", -1e9, 1e9);
  const upper = readNumber(b, "upper", -1e9, 1e9);
  const width = readNumber(b, "width", 0.0001, 1e9);
  if (upper <= lower) specError(childPointer(pointer, "upper"), "must be above lower");
  const count = (upper - lower) / width;
  if (Math.abs(count - Math.round(count)) > 1e-9) {
    specError(childPointer(pointer, "width"), "must divide upper − lower into whole bins");
  }
  if (Math.round(count) > querySpecLimits.quantileBins) {
    measureRefused(pointer, "maxBins", `more than ${querySpecLimits.quantileBins} bins`);
  }
  return { lower, upper, width };
}

const STATISTICS_REFUSED = new Set(["min", "max", "minimum", "maximum", "range", "mode"]);

function measure(value: unknown, pointer: string, sets: ReadonlySet<string>): MeasureSpec {
  const head = value as Record<string, unknown> | null;
  const type = typeof head === "object" && head !== null ? head.type : undefined;
  if (typeof type === "string" && ROW_LEVEL_TYPES.has(type.toLowerCase())) {
    throw new CustosError(
      "QUERY_ROW_LEVEL_REFUSED",
      `query spec ${childPointer(pointer, "type")}: row-level output is never released`,
      { details: { field: childPointer(pointer, "type"), reason: "row-level output" } },
    );
  }
  if (typeof head === "object" && head !== null && Array.isArray(head.statistics)) {
    const refused = head.statistics.find(
      (s) => typeof s === "string" && STATISTICS_REFUSED.has(s.toLowerCase()),
    );
    if (refused !== undefined) {
      measureRefused(
        childPointer(pointer, "statistics"),
        "noExtremes",
        `${String(refused)} is a single person's value and is never released`,
      );
    }
  }
  const base = readObject(value, pointer, [
    "name",
    "type",
    "by",
    "outcome",
    "timeAtRisk",
    "measurement",
    "bins",
    "probabilities",
    "exposure",
    "statistics",
  ]);
  const name = readString(base, "name", 40, NAME);
  const kind = readEnum(base, "type", [
    "count",
    "histogram",
    "incidenceRate",
    "summary",
    "quantiles",
    "twoByTwo",
  ] as const);
  const fields: Record<typeof kind, readonly string[]> = {
    count: [],
    histogram: ["by"],
    incidenceRate: ["outcome", "timeAtRisk", "by"],
    summary: ["measurement", "statistics"],
    quantiles: ["measurement", "bins", "probabilities"],
    twoByTwo: ["exposure", "outcome"],
  };
  const m = readObject(value, pointer, ["name", "type", ...fields[kind]]);
  switch (kind) {
    case "count":
      return { name, type: kind };
    case "histogram":
      return { name, type: kind, by: dimensions(m, 1, querySpecLimits.histogramDimensions) };
    case "incidenceRate": {
      const outcomePointer = childPointer(pointer, "outcome");
      const outcome = readObject(
        m.value.outcome,
        outcomePointer,
        ["domain", "conceptSet"],
        ["domain", "conceptSet"],
      );
      const tar = readObject(
        m.value.timeAtRisk,
        childPointer(pointer, "timeAtRisk"),
        ["startDays", "endDays"],
        ["startDays", "endDays"],
      );
      const startDays = readInteger(tar, "startDays", 0, querySpecLimits.windowDays);
      const endDays = readInteger(tar, "endDays", 0, querySpecLimits.windowDays);
      if (endDays < startDays) {
        specError(childPointer(tar.pointer, "endDays"), "must not be before startDays");
      }
      return {
        name,
        type: kind,
        outcome: {
          domain: readEnum(outcome, "domain", omopDomains),
          conceptSet: conceptSetName(outcome, "conceptSet", sets),
        },
        timeAtRisk: { startDays, endDays },
        by: dimensions(m, 0, 1),
      };
    }
    case "summary": {
      if (m.value.statistics !== undefined) {
        readArray(m, "statistics", 1, 3, (item, at) => {
          if (item !== "n" && item !== "mean" && item !== "variance") {
            specError(at, "must be n, mean or variance");
          }
          return item;
        });
      }
      return { name, type: kind, measurement: measurementValue(m, "measurement", sets) };
    }
    case "quantiles": {
      const probabilities = readArray(m, "probabilities", 1, 19, (item, at) => {
        if (typeof item !== "number" || !Number.isFinite(item)) specError(at, "must be a number");
        if (item <= 0 || item >= 1) {
          measureRefused(at, "noExtremes", "quantiles 0 and 1 are the minimum and maximum");
        }
        return item;
      });
      return {
        name,
        type: kind,
        measurement: measurementValue(m, "measurement", sets),
        bins: bins(m),
        probabilities: [...new Set(probabilities)].sort((a, b) => a - b),
      };
    }
    case "twoByTwo":
      return {
        name,
        type: kind,
        exposure: occurrence(m.value.exposure, childPointer(pointer, "exposure"), sets),
        outcome: occurrence(m.value.outcome, childPointer(pointer, "outcome"), sets),
      };
  }
}

function title(root: SpecObject): string {
  const value = root.value.title;
  if (value === undefined) return "";
  if (typeof value !== "string" || value.length > 200) {
    specError("/title", "must be a string of at most 200 characters");
  }
  return value;
}

/**
 * Validates a query spec (parsed JSON) and returns it normalised: defaults filled in, sets
 * sorted, so that equal meaning gives equal canonical JSON. The result parses to itself.
 *
 * @throws CustosError `QUERY_SPEC_INVALID` naming the field by its JSON pointer (unknown
 *   fields included); `QUERY_ROW_LEVEL_REFUSED` for row-level output or free SQL;
 *   `QUERY_MEASURE_REFUSED` for a measure no disclosure rule can release (minimum, maximum,
 *   age bands narrower than 5 years, too many cells or bins).
 * @example
 * ```ts
 * const spec = parseQuerySpec(JSON.parse(readFileSync("spec.json", "utf8")));
 * querySpecHash(spec); // the on-chain spec hash
 * ```
 */
export function parseQuerySpec(value: unknown): QuerySpec {
  const root = readObject(
    value,
    "",
    ["version", "title", "conceptSets", "cohort", "measures"],
    ["version", "conceptSets", "cohort", "measures"],
  );
  if (root.value.version !== 1) specError("/version", "must be 1");
  const setsObject = readObject(
    root.value.conceptSets,
    "/conceptSets",
    Object.keys(root.value.conceptSets ?? {}),
  );
  const names = Object.keys(setsObject.value).sort();
  if (names.length === 0 || names.length > querySpecLimits.conceptSets) {
    specError("/conceptSets", `must have 1..${querySpecLimits.conceptSets} concept sets`);
  }
  const conceptSets: Record<string, ConceptSet> = {};
  for (const name of names) {
    const pointer = childPointer("/conceptSets", name);
    if (!NAME.test(name)) specError(pointer, `name must match ${NAME.source}`);
    conceptSets[name] = conceptSet(setsObject.value[name], pointer);
  }
  const sets = new Set(names);
  const measures = readArray(root, "measures", 1, querySpecLimits.measures, (item, at) =>
    measure(item, at, sets),
  );
  const seen = new Set<string>();
  measures.forEach((m, i) => {
    if (seen.has(m.name)) specError(`/measures/${i}/name`, `duplicate measure name "${m.name}"`);
    seen.add(m.name);
  });
  return {
    version: 1,
    title: title(root),
    conceptSets,
    cohort: cohort(root.value.cohort, "/cohort", sets),
    measures,
  };
}
