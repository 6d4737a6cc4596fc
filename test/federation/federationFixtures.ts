import type { ReleasedTable } from "../../src/disclosure/index.ts";
import type { QueryResultDocument } from "../../src/federation/index.ts";
import {
  parseQuerySpec,
  querySpecHash,
  type ReleasedMeasure,
  type ReleasedStatistics,
} from "../../src/query/index.ts";

/** A spec with one measure of every type, for pooling and federation tests. */
export const spec = parseQuerySpec({
  version: 1,
  title: "federation fixture",
  conceptSets: {
    t2d: { include: [{ conceptId: 201826 }] },
    ckd: { include: [{ conceptId: 46271022 }] },
    bmi: { include: [{ conceptId: 3038553 }] },
    htn: { include: [{ conceptId: 320128 }] },
  },
  cohort: {
    index: { domain: "condition", conceptSet: "t2d" },
    inclusion: [{ name: "adults", ageAtIndex: { min: 18 } }],
  },
  measures: [
    { name: "n", type: "count" },
    { name: "sex", type: "histogram", by: [{ dimension: "sex" }] },
    {
      name: "ckd",
      type: "incidenceRate",
      outcome: { domain: "condition", conceptSet: "ckd" },
      timeAtRisk: { startDays: 1, endDays: 1825 },
      by: [{ dimension: "sex" }],
    },
    { name: "bmi", type: "summary", measurement: { conceptSet: "bmi", unitConceptId: 9531 } },
    {
      name: "bmiQ",
      type: "quantiles",
      measurement: { conceptSet: "bmi", unitConceptId: 9531 },
      bins: { lower: 20, upper: 25, width: 1 },
      probabilities: [0.25, 0.5, 0.95],
    },
    {
      name: "htnCkd",
      type: "twoByTwo",
      exposure: { domain: "condition", conceptSet: "htn" },
      outcome: { domain: "condition", conceptSet: "ckd" },
    },
  ],
});

/** The fixture spec's hash. */
export const specHash = querySpecHash(spec);

const SEX = ["female", "male", "other"];

/** A one-dimensional released table over sex: female, male, other, total. */
export function sexTable(values: readonly (number | null)[]): ReleasedTable {
  return { dimensions: [{ name: "sex", categories: SEX }], extendedShape: [4], values };
}

/** A released 2×2 table (exposure × outcome, margins computed); `hide` nulls cells by index. */
export function twoByTwo(
  a: number,
  b: number,
  c: number,
  d: number,
  hide: readonly number[] = [],
): ReleasedTable {
  const values = [a, b, a + b, c, d, c + d, a + c, b + d, a + b + c + d];
  return {
    dimensions: [
      { name: "exposure", categories: ["yes", "no"] },
      { name: "outcome", categories: ["yes", "no"] },
    ],
    extendedShape: [3, 3],
    values: values.map((v, i) => (hide.includes(i) ? null : v)),
  };
}

/** Quantile bins of the fixture spec (under 20, 20–21, …, 24–25, 25 and over) with counts. */
export function bmiBins(counts: readonly (number | null)[]) {
  const edges = [null, 20, 21, 22, 23, 24, 25, null];
  return counts.map((count, i) => ({
    lower: edges[i] ?? null,
    upper: edges[i + 1] ?? null,
    count,
  }));
}

/** What a fixture hospital released, measure by measure (omitted: a default). */
export interface FixtureRelease {
  readonly n?: number | null;
  readonly sex?: readonly (number | null)[];
  readonly ckd?: {
    readonly persons: readonly (number | null)[];
    readonly events: readonly (number | null)[];
    readonly personDays: readonly (number | null)[];
  };
  readonly bmi?: Omit<Extract<ReleasedMeasure, { type: "summary" }>, "name" | "type">;
  readonly bmiQ?: readonly (number | null)[];
  readonly htnCkd?: ReleasedTable;
  readonly attrition?: readonly (number | null)[];
  /** Measure names to leave out of the document. */
  readonly omit?: readonly string[];
}

/** Released statistics of the fixture spec. */
export function statistics(release: FixtureRelease = {}): ReleasedStatistics {
  const measures: ReleasedMeasure[] = [
    { name: "n", type: "count", n: release.n === undefined ? 100 : release.n },
    { name: "sex", type: "histogram", table: sexTable(release.sex ?? [55, 45, 0, 100]) },
    {
      name: "ckd",
      type: "incidenceRate",
      dimension: { name: "sex", categories: SEX },
      ...(release.ckd ?? {
        persons: [50, 40, 0, 90],
        events: [5, 4, 0, 9],
        personDays: [36_525, 29_220, 0, 65_745],
      }),
    },
    {
      name: "bmi",
      type: "summary",
      ...(release.bmi ?? { n: 20, mean: 28, variance: 16, withheld: null }),
    },
    {
      name: "bmiQ",
      type: "quantiles",
      bins: bmiBins(release.bmiQ ?? [0, 10, 20, 30, 20, 10, 10]),
      probabilities: [0.25, 0.5, 0.95],
    },
    { name: "htnCkd", type: "twoByTwo", table: release.htnCkd ?? twoByTwo(20, 30, 15, 35) },
  ];
  const attrition = release.attrition ?? [120, 110, 100];
  return {
    attrition: ["index event", "observation", "adults"].map((step, i) => ({
      step,
      persons: attrition[i] ?? null,
    })),
    measures: measures.filter((m) => !(release.omit ?? []).includes(m.name)),
  };
}

/** A result document for the fixture spec (`overrides` replace fields). */
export function resultDocument(
  hospitalId: number,
  release: FixtureRelease = {},
  overrides: Partial<QueryResultDocument> = {},
): QueryResultDocument {
  return {
    schema: "custos.query-result/1",
    queryId: "1",
    hospitalId,
    specHash,
    researcher: `0x${"ab".repeat(20)}`,
    consent: { block: 1, root: `0x${"11".repeat(32)}`, subjectCount: 1_000 },
    provenance: {
      engine: "DuckDB v1.5.6",
      cdmVersion: "5.4",
      vocabularyVersion: null,
      dataSnapshotDate: "2026-11-01",
      concepts: { hash: `0x${"22".repeat(32)}`, size: 4 },
      custosVersion: "0.1.0",
      disclosureRules: "custos.query-disclosure-report/1",
    },
    statistics: statistics(release),
    disclosureReportHash: `0x${"33".repeat(32)}`,
    epsilonMicro: 0,
    ...overrides,
  };
}
