import type { ReleasedTable } from "../disclosure/index.ts";
import { CustosError } from "../errors/index.ts";
import {
  poolCounts,
  poolCountTables,
  poolHistograms,
  poolMeanVariance,
  poolTwoByTwo,
  quantilesFromHistogram,
  type SiteTwoByTwo,
} from "../pooling/index.ts";
import {
  type AggregateDimension,
  dimensionCategories,
  type MeasureSpec,
  type QuerySpec,
  querySpecHash,
  type ReleasedAttritionStep,
  type ReleasedMeasure,
} from "../query/index.ts";
import type {
  MeasureSites,
  PooledAttritionStep,
  PooledBin,
  PooledFigures,
  PooledIncidenceStratum,
  PooledMeasure,
  PooledQueryResult,
  PooledTable,
  SiteExclusion,
} from "./PooledQueryResult.ts";
import { poissonInterval } from "./poissonInterval.ts";
import type { QueryResultDocument } from "./QueryResultDocument.ts";

/** One hospital's verified result document (see `verifyHospitalResult`). */
export interface VerifiedHospitalResult {
  readonly hospitalId: number;
  readonly document: QueryResultDocument;
}

/** Options of {@link poolQueryResults}. */
export interface PoolQueryResultsOptions {
  /** Hospitals a pooled figure needs behind it (at least 1). */
  readonly minimumSites: number;
}

/** Days in a person-year of an incidence rate. */
const DAYS_PER_YEAR = 365.25;

type Of<T extends ReleasedMeasure["type"]> = Extract<ReleasedMeasure, { type: T }>;
type SpecOf<T extends MeasureSpec["type"]> = Extract<MeasureSpec, { type: T }>;

/** A hospital's measure that passed the shape checks. */
interface Entry<M> {
  readonly hospitalId: number;
  readonly measure: M;
}

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const isCountOrNull = (value: unknown): value is number | null => value === null || isCount(value);
const isFiniteOrNull = (value: unknown): value is number | null =>
  value === null || (typeof value === "number" && Number.isFinite(value));
const ascending = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);
const site = (hospitalId: number): string => String(hospitalId);

function dimensionOf(spec: SpecOf<"histogram">["by"][number]): AggregateDimension {
  return { name: spec.dimension, categories: dimensionCategories(spec) };
}

function sameDimensions(
  actual: readonly AggregateDimension[],
  expected: readonly AggregateDimension[],
): boolean {
  return (
    Array.isArray(actual) &&
    actual.length === expected.length &&
    expected.every((d, i) => {
      const a = actual[i];
      return (
        a?.name === d.name &&
        Array.isArray(a.categories) &&
        a.categories.length === d.categories.length &&
        d.categories.every((c, j) => a.categories[j] === c)
      );
    })
  );
}

function isTable(table: ReleasedTable, dimensions: readonly AggregateDimension[]): boolean {
  if (typeof table !== "object" || table === null) return false;
  if (!sameDimensions(table.dimensions, dimensions)) return false;
  const shape = dimensions.map((d) => d.categories.length + 1);
  return (
    Array.isArray(table.extendedShape) &&
    shape.every((size, i) => table.extendedShape[i] === size) &&
    table.extendedShape.length === shape.length &&
    Array.isArray(table.values) &&
    table.values.length === shape.reduce((a, b) => a * b, 1) &&
    table.values.every(isCountOrNull)
  );
}

const YES_NO = ["yes", "no"];
const twoByTwoDimensions: readonly AggregateDimension[] = [
  { name: "exposure", categories: YES_NO },
  { name: "outcome", categories: YES_NO },
];

function incidenceDimension(spec: SpecOf<"incidenceRate">): AggregateDimension | null {
  const by = spec.by[0];
  return by === undefined ? null : dimensionOf(by);
}

/** Whether a released measure has the shape its spec gives it, with counts that can add. */
function wellFormed(spec: MeasureSpec, measure: ReleasedMeasure): boolean {
  switch (spec.type) {
    case "count":
      return isCountOrNull((measure as Of<"count">).n);
    case "histogram":
      return isTable((measure as Of<"histogram">).table, spec.by.map(dimensionOf));
    case "incidenceRate": {
      const m = measure as Of<"incidenceRate">;
      const expected = incidenceDimension(spec);
      const dimensionOk =
        expected === null
          ? Array.isArray(m.dimension?.categories) && m.dimension.categories.length === 1
          : sameDimensions([m.dimension], [expected]);
      if (!dimensionOk) return false;
      const length = m.dimension.categories.length + 1;
      return [m.persons, m.events, m.personDays].every(
        (values) =>
          Array.isArray(values) && values.length === length && values.every(isCountOrNull),
      );
    }
    case "summary": {
      const m = measure as Of<"summary">;
      return (
        isCountOrNull(m.n) &&
        isFiniteOrNull(m.mean) &&
        isFiniteOrNull(m.variance) &&
        (m.variance === null || m.variance >= 0) &&
        (m.withheld === null || m.withheld === "minN" || m.withheld === "dominance")
      );
    }
    case "quantiles": {
      const { bins } = measure as Of<"quantiles">;
      const interior = Math.round((spec.bins.upper - spec.bins.lower) / spec.bins.width);
      if (!Array.isArray(bins) || bins.length !== interior + 2) return false;
      const tolerance = spec.bins.width / 1000;
      return bins.every((bin, i) => {
        if (typeof bin !== "object" || bin === null || !isCountOrNull(bin.count)) return false;
        const lower = i === 0 ? null : spec.bins.lower + (i - 1) * spec.bins.width;
        const upper = i === bins.length - 1 ? null : spec.bins.lower + i * spec.bins.width;
        const near = (value: number | null, edge: number | null) =>
          edge === null
            ? value === null
            : typeof value === "number" && Math.abs(value - edge) <= tolerance;
        return near(bin.lower, lower) && near(bin.upper, upper);
      });
    }
    case "twoByTwo":
      return isTable((measure as Of<"twoByTwo">).table, twoByTwoDimensions);
  }
}

/** The measure's hospitals as entries, or as malformed when the shape does not fit. */
function entriesOf(
  spec: MeasureSpec,
  verified: readonly VerifiedHospitalResult[],
): { entries: Entry<ReleasedMeasure>[]; malformed: number[] } {
  const entries: Entry<ReleasedMeasure>[] = [];
  const malformed: number[] = [];
  for (const { hospitalId, document } of verified) {
    const measures: unknown = document.statistics?.measures;
    const measure = Array.isArray(measures)
      ? (measures as ReleasedMeasure[]).find((m) => m?.name === spec.name)
      : undefined;
    if (measure !== undefined && measure.type === spec.type && wellFormed(spec, measure)) {
      entries.push({ hospitalId, measure });
    } else {
      malformed.push(hospitalId);
    }
  }
  return { entries, malformed };
}

/** Sums tables cell by cell; a cell needs `minimumSites` hospitals that released it. */
function poolTables(
  dimensions: readonly AggregateDimension[],
  tables: readonly Entry<ReleasedTable>[],
  minimumSites: number,
): { table: PooledTable; contributed: number[]; suppressed: number[] } {
  const pooled = poolCountTables(
    tables.map(({ hospitalId, measure }) => ({
      site: site(hospitalId),
      cells: measure.values.map((count, index) => ({ key: [String(index)], count })),
    })),
  );
  const values = pooled.cells.map((cell) =>
    tables.length - cell.suppressedSites.length >= minimumSites ? cell.value : null,
  );
  return {
    table: {
      dimensions,
      extendedShape: dimensions.map((d) => d.categories.length + 1),
      values,
      lowerBound: pooled.cells.map((cell, i) => values[i] !== null && !cell.complete),
    },
    contributed: ascending(
      tables.filter((t) => t.measure.values.some((v) => v !== null)).map((t) => t.hospitalId),
    ),
    suppressed: ascending(
      tables.filter((t) => t.measure.values.some((v) => v === null)).map((t) => t.hospitalId),
    ),
  };
}

/** What a measure pooler returns: the figures and who is behind them. */
interface Pooled {
  readonly figures: PooledFigures;
  /** The figures when the measure is not released. */
  readonly empty: PooledFigures;
  readonly contributed: readonly number[];
  readonly suppressed: readonly number[];
  readonly withheld: readonly { readonly hospitalId: number; readonly reason: SiteExclusion }[];
}

function poolCount(entries: readonly Entry<Of<"count">>[]): Pooled {
  const pooled = poolCounts(entries.map((e) => ({ site: site(e.hospitalId), count: e.measure.n })));
  return {
    figures: { type: "count", value: pooled.value, lowerBound: !pooled.complete },
    empty: { type: "count", value: null, lowerBound: false },
    contributed: ascending(entries.filter((e) => e.measure.n !== null).map((e) => e.hospitalId)),
    suppressed: ascending(entries.filter((e) => e.measure.n === null).map((e) => e.hospitalId)),
    withheld: [],
  };
}

function poolHistogram(
  spec: SpecOf<"histogram">,
  entries: readonly Entry<Of<"histogram">>[],
  minimumSites: number,
): Pooled {
  const dimensions = spec.by.map(dimensionOf);
  const { table, contributed, suppressed } = poolTables(
    dimensions,
    entries.map((e) => ({ hospitalId: e.hospitalId, measure: e.measure.table })),
    minimumSites,
  );
  return {
    figures: { type: "histogram", table },
    empty: { type: "histogram", table: null },
    contributed,
    suppressed,
    withheld: [],
  };
}

function poolIncidence(
  spec: SpecOf<"incidenceRate">,
  entries: readonly Entry<Of<"incidenceRate">>[],
  minimumSites: number,
): Pooled {
  const dimension = incidenceDimension(spec) ??
    entries[0]?.measure.dimension ?? { name: "all", categories: ["all"] };
  const categories = [...dimension.categories, "total"];
  const released = (e: Entry<Of<"incidenceRate">>, i: number) =>
    e.measure.persons[i] !== null &&
    e.measure.events[i] !== null &&
    e.measure.personDays[i] !== null;
  const sum = (
    sites: readonly Entry<Of<"incidenceRate">>[],
    pick: (e: Entry<Of<"incidenceRate">>) => number | null,
  ) => poolCounts(sites.map((e) => ({ site: site(e.hospitalId), count: pick(e) }))).value;
  const strata = categories.map((category, i): PooledIncidenceStratum => {
    const sites = entries.filter((e) => released(e, i));
    const hospitals = ascending(sites.map((e) => e.hospitalId));
    if (sites.length < minimumSites) {
      return {
        category,
        hospitals,
        persons: null,
        events: null,
        personDays: null,
        ratePer1000PersonYears: null,
        lower: null,
        upper: null,
      };
    }
    const persons = sum(sites, (e) => e.measure.persons[i] ?? null);
    const events = sum(sites, (e) => e.measure.events[i] ?? null);
    const personDays = sum(sites, (e) => e.measure.personDays[i] ?? null);
    const perThousandYears = personDays > 0 ? (1000 * DAYS_PER_YEAR) / personDays : null;
    const interval = poissonInterval(events);
    return {
      category,
      hospitals,
      persons,
      events,
      personDays,
      ratePer1000PersonYears: perThousandYears === null ? null : events * perThousandYears,
      lower: perThousandYears === null ? null : interval.lower * perThousandYears,
      upper: perThousandYears === null ? null : interval.upper * perThousandYears,
    };
  });
  return {
    figures: { type: "incidenceRate", dimension, strata },
    empty: { type: "incidenceRate", dimension, strata: null },
    contributed: ascending(
      entries.filter((e) => categories.some((_, i) => released(e, i))).map((e) => e.hospitalId),
    ),
    suppressed: ascending(
      entries.filter((e) => categories.some((_, i) => !released(e, i))).map((e) => e.hospitalId),
    ),
    withheld: [],
  };
}

function poolSummary(entries: readonly Entry<Of<"summary">>[]): Pooled {
  const withheld = entries.flatMap((e) =>
    e.measure.withheld === null ? [] : [{ hospitalId: e.hospitalId, reason: e.measure.withheld }],
  );
  const pooled = poolMeanVariance(
    entries
      .filter((e) => e.measure.withheld === null)
      .map((e) => ({
        site: site(e.hospitalId),
        n: e.measure.n,
        mean: e.measure.mean,
        variance: e.measure.variance,
      })),
  );
  return {
    figures: { type: "summary", n: pooled.n, mean: pooled.mean, variance: pooled.variance },
    empty: { type: "summary", n: null, mean: null, variance: null },
    contributed: ascending(pooled.sites.map(Number)),
    suppressed: ascending(pooled.excludedSites.map(Number)),
    withheld,
  };
}

function poolQuantiles(
  spec: SpecOf<"quantiles">,
  entries: readonly Entry<Of<"quantiles">>[],
): Pooled {
  const probabilities = spec.probabilities;
  const empty: PooledFigures = { type: "quantiles", bins: null, probabilities, quantiles: null };
  const complete = entries.filter((e) => e.measure.bins.every((b) => b.count !== null));
  const suppressed = ascending(
    entries.filter((e) => !complete.includes(e)).map((e) => e.hospitalId),
  );
  // The bins passed the spec's edges within a tolerance; pooling needs them identical.
  const reference = complete[0]?.measure.bins;
  const same = complete.filter((e) =>
    e.measure.bins.every(
      (b, i) => b.lower === reference?.[i]?.lower && b.upper === reference?.[i]?.upper,
    ),
  );
  const withheld = complete
    .filter((e) => !same.includes(e))
    .map((e) => ({ hospitalId: e.hospitalId, reason: "malformed" as const }));
  const contributed = ascending(same.map((e) => e.hospitalId));
  if (reference === undefined || same.length === 0) {
    return { figures: empty, empty, contributed, suppressed, withheld };
  }
  const interior = poolHistograms(
    same.map((e) => ({
      site: site(e.hospitalId),
      bins: e.measure.bins.slice(1, -1).map((b) => ({
        lower: b.lower as number,
        upper: b.upper as number,
        count: b.count,
      })),
    })),
  );
  const openCount = (index: number) =>
    same.reduce((total, e) => total + (e.measure.bins.at(index)?.count ?? 0), 0);
  const under = openCount(0);
  const over = openCount(-1);
  const first = reference[0] as PooledBin;
  const last = reference.at(-1) as PooledBin;
  const bins: PooledBin[] = [
    { lower: null, upper: first.upper, count: under },
    ...interior.bins,
    { lower: last.lower, upper: null, count: over },
  ];
  const inside = interior.bins.reduce((total, b) => total + b.count, 0);
  const total = under + inside + over;
  const quantiles = probabilities.map((p) => {
    const target = p * total;
    // A quantile in an open bin has no edge to interpolate to: it is only known to lie
    // below the first or above the last edge.
    if (inside === 0 || target < under || target > under + inside) return null;
    const within = Math.min(1, Math.max(0, (target - under) / inside));
    return quantilesFromHistogram(interior.bins, [within])[0] ?? null;
  });
  return {
    figures: { type: "quantiles", bins, probabilities, quantiles },
    empty,
    contributed,
    suppressed,
    withheld,
  };
}

function poolTwoByTwoMeasure(
  entries: readonly Entry<Of<"twoByTwo">>[],
  minimumSites: number,
): Pooled {
  const { table, suppressed } = poolTables(
    twoByTwoDimensions,
    entries.map((e) => ({ hospitalId: e.hospitalId, measure: e.measure.table })),
    minimumSites,
  );
  // Extended layout [3, 3]: exposure yes/no/total × outcome yes/no/total.
  const sites: SiteTwoByTwo[] = entries.map(({ hospitalId, measure }) => {
    const v = measure.table.values;
    return {
      site: site(hospitalId),
      a: v[0] ?? null,
      b: v[1] ?? null,
      c: v[3] ?? null,
      d: v[4] ?? null,
    };
  });
  const oddsRatio = poolTwoByTwo(sites, "oddsRatio");
  const riskRatio = poolTwoByTwo(sites, "riskRatio");
  return {
    figures: { type: "twoByTwo", table, oddsRatio, riskRatio },
    empty: { type: "twoByTwo", table: null, oddsRatio: null, riskRatio: null },
    contributed: ascending(oddsRatio.sites.map(Number)),
    suppressed,
    withheld: oddsRatio.excludedSites
      .filter((e) => e.reason === "uninformative")
      .map((e) => ({ hospitalId: Number(e.site), reason: "uninformative" as const })),
  };
}

function poolMeasure(
  spec: MeasureSpec,
  entries: readonly Entry<ReleasedMeasure>[],
  minimumSites: number,
): Pooled {
  switch (spec.type) {
    case "count":
      return poolCount(entries as Entry<Of<"count">>[]);
    case "histogram":
      return poolHistogram(spec, entries as Entry<Of<"histogram">>[], minimumSites);
    case "incidenceRate":
      return poolIncidence(spec, entries as Entry<Of<"incidenceRate">>[], minimumSites);
    case "summary":
      return poolSummary(entries as Entry<Of<"summary">>[]);
    case "quantiles":
      return poolQuantiles(spec, entries as Entry<Of<"quantiles">>[]);
    case "twoByTwo":
      return poolTwoByTwoMeasure(entries as Entry<Of<"twoByTwo">>[], minimumSites);
  }
}

function poolAttrition(
  spec: QuerySpec,
  verified: readonly VerifiedHospitalResult[],
  minimumSites: number,
): PooledQueryResult["attrition"] {
  const rules = spec.cohort.inclusion.map((rule) => rule.name);
  const wellFormedSteps = (steps: unknown): steps is ReleasedAttritionStep[] =>
    Array.isArray(steps) &&
    steps.length === rules.length + 2 &&
    steps.every((s) => typeof s?.step === "string" && isCountOrNull(s.persons)) &&
    rules.every((name, i) => steps[i + 2]?.step === name);
  const candidates = verified.filter((v) => wellFormedSteps(v.document.statistics?.attrition));
  const names = candidates[0]?.document.statistics.attrition.map((s) => s.step) ?? [];
  const valid = candidates.filter((v) =>
    v.document.statistics.attrition.every((s, i) => s.step === names[i]),
  );
  const steps = names.map((step, i): PooledAttritionStep => {
    const counts = valid.map((v) => ({
      site: site(v.hospitalId),
      count: v.document.statistics.attrition[i]?.persons ?? null,
    }));
    const pooled = poolCounts(counts);
    const hospitals = ascending(counts.filter((c) => c.count !== null).map((c) => Number(c.site)));
    const persons = hospitals.length >= minimumSites ? pooled.value : null;
    return {
      step,
      persons,
      lowerBound: persons !== null && !pooled.complete,
      hospitals,
      withheld: ascending(pooled.suppressedSites.map(Number)),
    };
  });
  return {
    steps,
    malformed: ascending(verified.filter((v) => !valid.includes(v)).map((v) => v.hospitalId)),
  };
}

/**
 * Pools verified hospital results of one query spec, measure by measure, with the
 * functions of `custos/pooling`:
 *
 * - **count**: summed (`poolCounts`); a suppressed count makes the sum a lower bound;
 * - **histogram**: summed cell by cell, margins included (`poolCountTables`); each cell is
 *   given only where at least `minimumSites` hospitals released it;
 * - **incidence rate**: per stratum (and the total), persons, events and days at risk summed
 *   over the hospitals that released all three, the rate per 1,000 person-years (365.25
 *   days) and its exact Poisson (Garwood) 95 % interval;
 * - **summary**: the union's n, mean and sample variance (`poolMeanVariance`); hospitals that
 *   withheld theirs (minN, dominance) are listed;
 * - **quantiles**: the fixed-bin histograms summed (`poolHistograms`; a hospital with a
 *   suppressed bin is left out, keeping the histogram exact), the quantiles read off it
 *   (`quantilesFromHistogram`), null for one in the open underflow or overflow bin;
 * - **2×2**: the table summed cell by cell, and the Mantel–Haenszel, fixed- and
 *   random-effects (DerSimonian–Laird) odds and risk ratios with I² (`poolTwoByTwo`);
 * - **attrition**: each step summed.
 *
 * A measure is released only when at least `minimumSites` hospitals contributed to it;
 * otherwise its figures are null and `reason` is `tooFewSites`. Each measure names the
 * hospitals that contributed, suppressed values or were left out (and why). A hospital's
 * measure that is missing or not of the spec's shape is left out as `malformed`, never
 * guessed at. Pure and deterministic: the answer order does not matter.
 *
 * @throws CustosError `FEDERATION_TOO_FEW_SITES` (details `verified`, `minimum`) when fewer
 * results than `minimumSites` are given; `INVALID_ARGUMENT` for a `minimumSites` that is not
 * a positive integer, a hospital listed twice, or a document of another spec.
 * @example
 * ```ts
 * const pooled = poolQueryResults(spec, [{ hospitalId: 1, document: a }, { hospitalId: 2, document: b }], {
 *   minimumSites: 2,
 * });
 * pooled.measures.find((m) => m.name === "n");
 * ```
 */
export function poolQueryResults(
  spec: QuerySpec,
  verified: readonly VerifiedHospitalResult[],
  options: PoolQueryResultsOptions,
): PooledQueryResult {
  const { minimumSites } = options;
  if (!Number.isSafeInteger(minimumSites) || minimumSites < 1) {
    throw new CustosError("INVALID_ARGUMENT", "minimumSites must be a positive integer", {
      details: { field: "minimumSites", value: String(minimumSites) },
    });
  }
  const specHash = querySpecHash(spec);
  const seen = new Set<number>();
  verified.forEach(({ hospitalId, document }, i) => {
    if (seen.has(hospitalId)) {
      throw new CustosError("INVALID_ARGUMENT", `hospital ${hospitalId} is listed twice`, {
        details: { field: `verified[${i}].hospitalId`, hospitalId },
      });
    }
    seen.add(hospitalId);
    if (String(document.specHash).toLowerCase() !== specHash) {
      throw new CustosError("INVALID_ARGUMENT", "a result document is for another spec", {
        details: { field: `verified[${i}].document.specHash`, hospitalId },
      });
    }
  });
  if (verified.length < minimumSites) {
    throw new CustosError(
      "FEDERATION_TOO_FEW_SITES",
      `${verified.length} verified results, ${minimumSites} needed`,
      { details: { verified: verified.length, minimum: minimumSites } },
    );
  }
  const ordered = [...verified].sort((a, b) => a.hospitalId - b.hospitalId);
  const measures = spec.measures.map((measureSpec): PooledMeasure => {
    const { entries, malformed } = entriesOf(measureSpec, ordered);
    const pooled = poolMeasure(measureSpec, entries, minimumSites);
    const released = pooled.contributed.length >= minimumSites;
    const sites: MeasureSites = {
      contributed: pooled.contributed,
      suppressed: pooled.suppressed,
      withheld: [
        ...pooled.withheld,
        ...malformed.map((hospitalId) => ({ hospitalId, reason: "malformed" as const })),
      ].sort((a, b) => a.hospitalId - b.hospitalId),
    };
    return {
      name: measureSpec.name,
      released,
      reason: released ? null : "tooFewSites",
      sites,
      ...(released ? pooled.figures : pooled.empty),
    };
  });
  return {
    schema: "custos.pooled-query-result/1",
    specHash,
    minimumSites,
    hospitals: ordered.map((v) => v.hospitalId),
    attrition: poolAttrition(spec, ordered, minimumSites),
    measures,
  };
}
