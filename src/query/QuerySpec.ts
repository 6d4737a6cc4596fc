/**
 * The query spec language (version 1): a cohort in OHDSI terms and aggregate measures over
 * it. There is no row-level output and no SQL: every spec compiles to statements Custos
 * writes itself, joined with the consent allow-list. These are the types of a spec after
 * {@link parseQuerySpec}, with every default filled in, so equal meaning gives equal JSON
 * and so an equal hash.
 */

/** The OMOP clinical tables a criterion can look into. */
export const omopDomains = Object.freeze([
  "condition",
  "drug",
  "measurement",
  "procedure",
  "observation",
  "visit",
] as const);

/** An OMOP clinical domain (its table, concept column and date column are fixed). */
export type OmopDomain = (typeof omopDomains)[number];

/** One concept of a set; `descendants` adds its descendants from CONCEPT_ANCESTOR. */
export interface ConceptRef {
  readonly conceptId: number;
  readonly descendants: boolean;
}

/** A named concept set: included concepts minus excluded ones (descendants resolved per ref). */
export interface ConceptSet {
  readonly include: readonly ConceptRef[];
  readonly exclude: readonly ConceptRef[];
}

/**
 * Days relative to the index date, both ends inclusive; `null` is unbounded on that side.
 * `{ startDays: -365, endDays: -1 }` is the year before the index date.
 */
export interface DayWindow {
  readonly startDays: number | null;
  readonly endDays: number | null;
}

/** Records of a concept set in a domain within a window around the index date. */
export interface OccurrenceCriterion {
  readonly domain: OmopDomain;
  readonly conceptSet: string;
  readonly window: DayWindow;
}

/** A measurement of a concept set in a unit, within a window, its value in a closed range. */
export interface MeasurementCriterion {
  readonly conceptSet: string;
  readonly unitConceptId: number;
  readonly window: DayWindow;
  readonly min: number | null;
  readonly max: number | null;
}

/** Sex categories (OMOP gender concepts 8532 and 8507). */
export type Sex = "female" | "male";

/**
 * A named inclusion rule holding exactly one criterion; the attrition report counts persons
 * left after each rule, in order. Age is in whole years at the index date (index year − year
 * of birth, as OHDSI computes it); bounds are inclusive.
 */
export type InclusionRule =
  | {
      readonly name: string;
      readonly ageAtIndex: { readonly min: number | null; readonly max: number | null };
    }
  | { readonly name: string; readonly sex: readonly Sex[] }
  | { readonly name: string; readonly has: OccurrenceCriterion }
  | { readonly name: string; readonly hasNot: OccurrenceCriterion }
  | { readonly name: string; readonly measurement: MeasurementCriterion };

/** The cohort: an index event, required observation around it, inclusion rules. */
export interface CohortSpec {
  readonly index: {
    readonly domain: OmopDomain;
    readonly conceptSet: string;
    /** Which of a person's qualifying events is the index event. */
    readonly occurrence: "first" | "last";
  };
  /** Days of continuous observation required before and after the index date. */
  readonly observation: { readonly priorDays: number; readonly postDays: number };
  readonly inclusion: readonly InclusionRule[];
}

/** A stratifying dimension of a histogram or incidence rate. */
export type Dimension =
  | { readonly dimension: "sex" }
  | { readonly dimension: "ageBand"; readonly width: number }
  | { readonly dimension: "indexYear"; readonly from: number; readonly to: number };

/** Which of a person's measurements in the window gives their one value. */
export type ValueChoice = "first" | "last";

/** The per-person value a summary or quantile measure uses. */
export interface MeasurementValue {
  readonly conceptSet: string;
  readonly unitConceptId: number;
  readonly window: DayWindow;
  readonly value: ValueChoice;
}

/** Fixed bins `[lower + k·width, lower + (k+1)·width)`, with an underflow and an overflow bin. */
export interface BinSpec {
  readonly lower: number;
  readonly upper: number;
  readonly width: number;
}

/** A measure: what is computed over the final cohort. Names are unique within a spec. */
export type MeasureSpec =
  | { readonly name: string; readonly type: "count" }
  | { readonly name: string; readonly type: "histogram"; readonly by: readonly Dimension[] }
  | {
      readonly name: string;
      readonly type: "incidenceRate";
      readonly outcome: { readonly domain: OmopDomain; readonly conceptSet: string };
      readonly timeAtRisk: { readonly startDays: number; readonly endDays: number };
      readonly by: readonly Dimension[];
    }
  | { readonly name: string; readonly type: "summary"; readonly measurement: MeasurementValue }
  | {
      readonly name: string;
      readonly type: "quantiles";
      readonly measurement: MeasurementValue;
      readonly bins: BinSpec;
      readonly probabilities: readonly number[];
    }
  | {
      readonly name: string;
      readonly type: "twoByTwo";
      readonly exposure: OccurrenceCriterion;
      readonly outcome: OccurrenceCriterion;
    };

/** The type of a measure. */
export type MeasureType = MeasureSpec["type"];

/** A validated, normalised query spec. */
export interface QuerySpec {
  readonly version: 1;
  /** Free text for people; not interpreted. */
  readonly title: string;
  readonly conceptSets: Readonly<Record<string, ConceptSet>>;
  readonly cohort: CohortSpec;
  readonly measures: readonly MeasureSpec[];
}
