/**
 * An independent reference implementation of the query spec semantics (docs/query.md) in
 * plain TypeScript over in-memory OMOP rows, for differential tests of the SQL compiler and
 * of pooled federated answers. It shares no code with the compiler: only the spec and
 * aggregate types, the dimension categories and the canonical decimal form.
 *
 * Written to be obviously correct rather than fast: each person is evaluated on their own
 * records, each rule read straight off the documentation.
 */
import { canonicalDecimal } from "../../../src/query/exactDecimal.ts";
import { AGE_BAND_CAP, dimensionCategories } from "../../../src/query/parseQuerySpec.ts";
import type {
  AggregateDimension,
  AttritionStep,
  HistogramBin,
  IncidenceStratum,
  MeasureAggregate,
  QueryAggregates,
  ValueSums,
} from "../../../src/query/QueryAggregates.ts";
import type {
  ConceptRef,
  DayWindow,
  Dimension,
  InclusionRule,
  MeasurementValue,
  MeasureSpec,
  OccurrenceCriterion,
  OmopDomain,
  QuerySpec,
} from "../../../src/query/QuerySpec.ts";
import {
  compareDecimal,
  decimalOfNumber,
  type ExactDecimal,
  floorDiv,
  formatUnits,
  unitsAtScale,
  VALUE_SCALE,
} from "./referenceDecimal.ts";
import {
  type DayNumber,
  type DomainRow,
  type MeasurementRow,
  type PersonRow,
  type ReferenceOmopData,
  yearOfDay,
} from "./referenceOmopData.ts";

/** What the reference computes for a spec at one hospital. */
export interface ReferenceResult {
  readonly aggregates: QueryAggregates;
  /** The final cohort's person ids, ascending. */
  readonly cohortPersonIds: number[];
  /** Each concept set resolved: concept ids ascending. */
  readonly conceptSets: Record<string, number[]>;
}

/** A concept id the spec names that the hospital's CONCEPT table lacks. */
export class ReferenceUnknownConceptError extends Error {
  readonly code = "QUERY_UNKNOWN_CONCEPT";
  readonly field: string;
  readonly conceptId: number;

  constructor(field: string, conceptId: number) {
    super(`concept ${conceptId} (${field}) is not in the CONCEPT table`);
    this.field = field;
    this.conceptId = conceptId;
  }
}

const FEMALE = 8532;
const MALE = 8507;

// ---------------------------------------------------------------------------------------
// Concept sets

function checkKnownConcepts(data: ReferenceOmopData, spec: QuerySpec): void {
  if (data.concept === null) return;
  const known = new Set(data.concept);
  for (const [name, set] of Object.entries(spec.conceptSets)) {
    for (const part of ["include", "exclude"] as const) {
      set[part].forEach((ref, i) => {
        if (!known.has(ref.conceptId)) {
          throw new ReferenceUnknownConceptError(
            `/conceptSets/${name}/${part}/${i}/conceptId`,
            ref.conceptId,
          );
        }
      });
    }
  }
}

/**
 * The concept ids a list of refs stands for: each concept itself, plus its descendants in
 * CONCEPT_ANCESTOR when the ref asks and the table exists.
 */
function expandRefs(
  refs: readonly ConceptRef[],
  descendants: ReadonlyMap<number, readonly number[]> | null,
): Set<number> {
  const ids = new Set<number>();
  for (const ref of refs) {
    ids.add(ref.conceptId);
    if (ref.descendants && descendants !== null) {
      for (const id of descendants.get(ref.conceptId) ?? []) ids.add(id);
    }
  }
  return ids;
}

function resolveConceptSets(data: ReferenceOmopData, spec: QuerySpec): Map<string, Set<number>> {
  let descendants: Map<number, number[]> | null = null;
  if (data.conceptAncestor !== null) {
    descendants = new Map();
    for (const row of data.conceptAncestor) {
      const list = descendants.get(row.ancestorConceptId);
      if (list === undefined) descendants.set(row.ancestorConceptId, [row.descendantConceptId]);
      else list.push(row.descendantConceptId);
    }
  }
  const resolved = new Map<string, Set<number>>();
  for (const [name, set] of Object.entries(spec.conceptSets)) {
    const excluded = expandRefs(set.exclude, descendants);
    const included = [...expandRefs(set.include, descendants)].filter((id) => !excluded.has(id));
    resolved.set(name, new Set(included));
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------
// Per-person records

/** Groups rows by person once, so each person's criteria read only their own records. */
function byPerson<T extends { readonly personId: number }>(rows: readonly T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(row.personId);
    if (list === undefined) map.set(row.personId, [row]);
    else list.push(row);
  }
  return map;
}

class PersonRecords {
  readonly #data: ReferenceOmopData;
  readonly #domains = new Map<OmopDomain, Map<number, DomainRow[]>>();
  readonly #measurements: Map<number, MeasurementRow[]>;

  constructor(data: ReferenceOmopData) {
    this.#data = data;
    this.#measurements = byPerson(data.measurement);
  }

  #table(domain: OmopDomain): readonly DomainRow[] {
    switch (domain) {
      case "condition":
        return this.#data.conditionOccurrence;
      case "drug":
        return this.#data.drugExposure;
      case "measurement":
        return this.#data.measurement;
      case "procedure":
        return this.#data.procedureOccurrence;
      case "observation":
        return this.#data.observation;
      case "visit":
        return this.#data.visitOccurrence;
    }
  }

  /** A person's records of a domain. */
  of(domain: OmopDomain, personId: number): readonly DomainRow[] {
    let map = this.#domains.get(domain);
    if (map === undefined) {
      map = byPerson(this.#table(domain));
      this.#domains.set(domain, map);
    }
    return map.get(personId) ?? [];
  }

  /** A person's measurements (with values and units). */
  measurements(personId: number): readonly MeasurementRow[] {
    return this.#measurements.get(personId) ?? [];
  }
}

// ---------------------------------------------------------------------------------------
// The cohort

/** A person with an index event, and what the semantics derive from it. */
interface Candidate {
  readonly person: PersonRow;
  readonly indexDate: DayNumber;
  readonly indexYear: number;
  /** Index year − year of birth. */
  readonly ageAtIndex: number;
  /**
   * The end of the observation periods holding the index date (their earliest end) when they
   * meet the observation requirement, else null.
   */
  readonly observationEnd: DayNumber | null;
}

/** Whether a date lies in a window around the index date (ends inclusive, null unbounded). */
function inWindow(date: DayNumber, indexDate: DayNumber, window: DayWindow): boolean {
  if (window.startDays !== null && date < indexDate + window.startDays) return false;
  if (window.endDays !== null && date > indexDate + window.endDays) return false;
  return true;
}

interface Context {
  readonly spec: QuerySpec;
  readonly sets: Map<string, Set<number>>;
  readonly records: PersonRecords;
}

function conceptSet(context: Context, name: string): Set<number> {
  const set = context.sets.get(name);
  if (set === undefined) throw new Error(`no concept set ${name}`);
  return set;
}

/** A person's records of a concept set in a domain within a window around the index. */
function occurrences(
  context: Context,
  candidate: Candidate,
  criterion: OccurrenceCriterion,
): DomainRow[] {
  const set = conceptSet(context, criterion.conceptSet);
  return context.records
    .of(criterion.domain, candidate.person.personId)
    .filter((r) => set.has(r.conceptId) && inWindow(r.date, candidate.indexDate, criterion.window));
}

/** A person's measurements of a set, in a unit, with a value, within a window. */
function measurementsOf(
  context: Context,
  candidate: Candidate,
  m: { readonly conceptSet: string; readonly unitConceptId: number; readonly window: DayWindow },
): MeasurementRow[] {
  const set = conceptSet(context, m.conceptSet);
  return context.records
    .measurements(candidate.person.personId)
    .filter(
      (r) =>
        set.has(r.conceptId) &&
        r.unitConceptId === m.unitConceptId &&
        r.value !== null &&
        inWindow(r.date, candidate.indexDate, m.window),
    );
}

const valueDecimal = (value: bigint): ExactDecimal => ({ units: value, scale: VALUE_SCALE });

function passesRule(context: Context, candidate: Candidate, rule: InclusionRule): boolean {
  if ("ageAtIndex" in rule) {
    const { min, max } = rule.ageAtIndex;
    return (
      (min === null || candidate.ageAtIndex >= min) && (max === null || candidate.ageAtIndex <= max)
    );
  }
  if ("sex" in rule) {
    const sex = sexOf(candidate.person);
    return sex !== "other" && rule.sex.includes(sex);
  }
  if ("has" in rule) return occurrences(context, candidate, rule.has).length > 0;
  if ("hasNot" in rule) return occurrences(context, candidate, rule.hasNot).length === 0;
  const m = rule.measurement;
  return measurementsOf(context, candidate, m).some((r) => {
    const value = valueDecimal(r.value as bigint);
    return (
      (m.min === null || compareDecimal(decimalOfNumber(m.min), value) <= 0) &&
      (m.max === null || compareDecimal(value, decimalOfNumber(m.max)) <= 0)
    );
  });
}

function sexOf(person: PersonRow): "female" | "male" | "other" {
  if (person.genderConceptId === FEMALE) return "female";
  if (person.genderConceptId === MALE) return "male";
  return "other";
}

/** Persons allowed, in PERSON, with an index event (ascending person id). */
function indexEvents(
  context: Context,
  data: ReferenceOmopData,
  allowedPersonIds: Iterable<number>,
): Candidate[] {
  const { index, observation } = context.spec.cohort;
  const persons = new Map(data.person.map((p) => [p.personId, p]));
  const periods = byPerson(data.observationPeriod);
  const set = conceptSet(context, index.conceptSet);
  const candidates: Candidate[] = [];
  for (const personId of [...new Set(allowedPersonIds)].sort((a, b) => a - b)) {
    const person = persons.get(personId);
    if (person === undefined) continue;
    const dates = context.records
      .of(index.domain, personId)
      .filter((r) => set.has(r.conceptId))
      .map((r) => r.date);
    if (dates.length === 0) continue;
    const indexDate = index.occurrence === "first" ? Math.min(...dates) : Math.max(...dates);
    // Periods holding the index date count as their intersection (latest start, earliest
    // end): OMOP periods should not overlap, and where they do the narrowest reading holds.
    const holding = (periods.get(personId) ?? []).filter(
      (p) => p.startDate <= indexDate && indexDate <= p.endDate,
    );
    const start = Math.max(...holding.map((p) => p.startDate));
    const end = Math.min(...holding.map((p) => p.endDate));
    const observed =
      holding.length > 0 &&
      indexDate - start >= observation.priorDays &&
      end - indexDate >= observation.postDays;
    const indexYear = yearOfDay(indexDate);
    candidates.push({
      person,
      indexDate,
      indexYear,
      ageAtIndex: indexYear - person.yearOfBirth,
      observationEnd: observed ? end : null,
    });
  }
  return candidates;
}

// ---------------------------------------------------------------------------------------
// Measures

/** A person's category index in a dimension, in `dimensionCategories` order. */
function categoryOf(d: Dimension, candidate: Candidate): number {
  switch (d.dimension) {
    case "sex":
      return ["female", "male", "other"].indexOf(sexOf(candidate.person));
    case "ageBand": {
      const openBand = Math.ceil(AGE_BAND_CAP / d.width);
      const band = Math.floor(candidate.ageAtIndex / d.width);
      return Math.min(Math.max(band, 0), openBand);
    }
    case "indexYear":
      if (candidate.indexYear < d.from) return 0;
      if (candidate.indexYear > d.to) return d.to - d.from + 2;
      return candidate.indexYear - d.from + 1;
  }
}

function aggregateDimension(d: Dimension): AggregateDimension {
  return { name: d.dimension, categories: dimensionCategories(d) };
}

function histogram(
  cohort: readonly Candidate[],
  by: readonly Dimension[],
): { dimensions: AggregateDimension[]; counts: number[] } {
  const dimensions = by.map(aggregateDimension);
  const sizes = dimensions.map((d) => d.categories.length);
  const counts = new Array<number>(sizes.reduce((a, b) => a * b, 1)).fill(0);
  for (const candidate of cohort) {
    let cell = 0;
    by.forEach((d, i) => {
      cell = cell * (sizes[i] as number) + categoryOf(d, candidate);
    });
    counts[cell] = (counts[cell] as number) + 1;
  }
  return { dimensions, counts };
}

function incidenceRate(
  context: Context,
  cohort: readonly Candidate[],
  measure: Extract<MeasureSpec, { type: "incidenceRate" }>,
): MeasureAggregate {
  const d = measure.by[0];
  const dimension: AggregateDimension =
    d === undefined ? { name: "all", categories: ["all"] } : aggregateDimension(d);
  const strata = dimension.categories.map(() => ({ persons: 0, events: 0, personDays: 0 }));
  const set = conceptSet(context, measure.outcome.conceptSet);
  for (const candidate of cohort) {
    const start = candidate.indexDate + measure.timeAtRisk.startDays;
    const end = Math.min(
      candidate.indexDate + measure.timeAtRisk.endDays,
      candidate.observationEnd as number,
    );
    if (end < start) continue; // no day at risk
    const outcomes = context.records
      .of(measure.outcome.domain, candidate.person.personId)
      .filter((r) => set.has(r.conceptId))
      .map((r) => r.date);
    if (outcomes.some((date) => date < start)) continue; // outcome before the time at risk
    const inRisk = outcomes.filter((date) => date >= start && date <= end);
    const first = inRisk.length === 0 ? null : Math.min(...inRisk);
    const stratum = strata[d === undefined ? 0 : categoryOf(d, candidate)] as {
      persons: number;
      events: number;
      personDays: number;
    };
    stratum.persons += 1;
    if (first !== null) stratum.events += 1;
    stratum.personDays += (first ?? end) - start + 1;
  }
  return {
    name: measure.name,
    type: "incidenceRate",
    dimension,
    strata: strata satisfies IncidenceStratum[],
  };
}

/** Each cohort person's one value (× 10^4): first or last by date, ties by measurement_id. */
function personValues(
  context: Context,
  cohort: readonly Candidate[],
  m: MeasurementValue,
): bigint[] {
  const values: bigint[] = [];
  for (const candidate of cohort) {
    const rows = measurementsOf(context, candidate, m).sort((a, b) =>
      a.date !== b.date ? a.date - b.date : a.id - b.id,
    );
    const chosen = m.value === "first" ? rows[0] : rows[rows.length - 1];
    if (chosen !== undefined) values.push(chosen.value as bigint);
  }
  return values;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function valueSums(values: readonly bigint[]): ValueSums {
  const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
  const absolutes = values.map(abs).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return {
    n: values.length,
    total: canonicalDecimal(formatUnits(sum(values), VALUE_SCALE)),
    totalSquares: canonicalDecimal(formatUnits(sum(values.map((v) => v * v)), 2 * VALUE_SCALE)),
    totalAbs: canonicalDecimal(formatUnits(sum(absolutes), VALUE_SCALE)),
    topTwoAbs: canonicalDecimal(formatUnits(sum(absolutes.slice(0, 2)), VALUE_SCALE)),
  };
}

/**
 * Fixed bins `[lower + k·width, lower + (k+1)·width)` with an underflow bin (below lower)
 * and an overflow bin (from lower + count·width = upper), all compared exactly.
 */
function binValues(
  values: readonly bigint[],
  bins: { readonly lower: number; readonly upper: number; readonly width: number },
): HistogramBin[] {
  const lower = decimalOfNumber(bins.lower);
  const width = decimalOfNumber(bins.width);
  const scale = Math.max(VALUE_SCALE, lower.scale, width.scale);
  const lowerUnits = unitsAtScale(lower, scale);
  const widthUnits = unitsAtScale(width, scale);
  const count = Math.round((bins.upper - bins.lower) / bins.width);
  const edge = (k: number) => Number(formatUnits(lowerUnits + BigInt(k) * widthUnits, scale));
  const result: { lower: number | null; upper: number | null; count: number }[] = [
    { lower: null, upper: edge(0), count: 0 },
  ];
  for (let k = 0; k < count; k++) result.push({ lower: edge(k), upper: edge(k + 1), count: 0 });
  result.push({ lower: edge(count), upper: null, count: 0 });
  for (const value of values) {
    const units = unitsAtScale(valueDecimal(value), scale);
    let bin: number;
    if (units < lowerUnits) bin = 0;
    else {
      const k = floorDiv(units - lowerUnits, widthUnits);
      bin = k >= BigInt(count) ? count + 1 : Number(k) + 1;
    }
    (result[bin] as { count: number }).count += 1;
  }
  return result;
}

function measureAggregate(
  context: Context,
  cohort: readonly Candidate[],
  measure: MeasureSpec,
): MeasureAggregate {
  const { name } = measure;
  switch (measure.type) {
    case "count":
      return { name, type: "count", n: cohort.length };
    case "histogram":
      return { name, type: "histogram", ...histogram(cohort, measure.by) };
    case "incidenceRate":
      return incidenceRate(context, cohort, measure);
    case "summary":
      return {
        name,
        type: "summary",
        sums: valueSums(personValues(context, cohort, measure.measurement)),
      };
    case "quantiles":
      return {
        name,
        type: "quantiles",
        bins: binValues(personValues(context, cohort, measure.measurement), measure.bins),
        probabilities: measure.probabilities,
      };
    case "twoByTwo": {
      let [exposedOutcome, exposedNoOutcome, unexposedOutcome, unexposedNoOutcome] = [0, 0, 0, 0];
      for (const candidate of cohort) {
        const exposed = occurrences(context, candidate, measure.exposure).length > 0;
        const outcome = occurrences(context, candidate, measure.outcome).length > 0;
        if (exposed && outcome) exposedOutcome += 1;
        else if (exposed) exposedNoOutcome += 1;
        else if (outcome) unexposedOutcome += 1;
        else unexposedNoOutcome += 1;
      }
      return {
        name,
        type: "twoByTwo",
        counts: [exposedOutcome, exposedNoOutcome, unexposedOutcome, unexposedNoOutcome],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------

/**
 * Evaluates a parsed spec over one hospital's rows, counting only persons in
 * `allowedPersonIds`, as docs/query.md defines it.
 *
 * @throws ReferenceUnknownConceptError when the data has a CONCEPT table that lacks a
 *   concept id the spec names.
 * @example
 * ```ts
 * const data = await readOmopCsvDirectory("/tmp/refdata/hospital-0");
 * const { aggregates } = evaluateReference(data, parseQuerySpec(json), allowedIds);
 * ```
 */
export function evaluateReference(
  data: ReferenceOmopData,
  spec: QuerySpec,
  allowedPersonIds: Iterable<number>,
): ReferenceResult {
  checkKnownConcepts(data, spec);
  const sets = resolveConceptSets(data, spec);
  const context: Context = { spec, sets, records: new PersonRecords(data) };

  const withIndex = indexEvents(context, data, allowedPersonIds);
  const attrition: AttritionStep[] = [{ step: "index event", persons: withIndex.length }];
  let remaining = withIndex.filter((c) => c.observationEnd !== null);
  attrition.push({ step: "observation", persons: remaining.length });
  for (const rule of spec.cohort.inclusion) {
    remaining = remaining.filter((c) => passesRule(context, c, rule));
    attrition.push({ step: rule.name, persons: remaining.length });
  }
  const cohort = remaining;

  const conceptSets: Record<string, number[]> = {};
  for (const [name, ids] of sets) conceptSets[name] = [...ids].sort((a, b) => a - b);
  return {
    aggregates: {
      attrition,
      cohortSize: cohort.length,
      measures: spec.measures.map((measure) => measureAggregate(context, cohort, measure)),
    },
    cohortPersonIds: cohort.map((c) => c.person.personId),
    conceptSets,
  };
}
