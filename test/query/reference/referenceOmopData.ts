/**
 * In-memory OMOP CDM rows for the reference evaluator: only the columns the query semantics
 * read. Dates are day numbers (days since 1970-01-01, UTC); a measurement's value is an exact
 * fixed-point integer scaled by 10^4 (as DECIMAL(18,4)).
 */

/** Days since 1970-01-01. */
export type DayNumber = number;

/** PERSON. */
export interface PersonRow {
  readonly personId: number;
  readonly genderConceptId: number;
  readonly yearOfBirth: number;
}

/** OBSERVATION_PERIOD. */
export interface ObservationPeriodRow {
  readonly personId: number;
  readonly startDate: DayNumber;
  readonly endDate: DayNumber;
}

/**
 * A record of a clinical domain table: its id, person, concept and the domain's date
 * (condition_start_date, drug_exposure_start_date, procedure_date, observation_date,
 * visit_start_date, measurement_date).
 */
export interface DomainRow {
  readonly id: number;
  readonly personId: number;
  readonly conceptId: number;
  readonly date: DayNumber;
}

/** MEASUREMENT: a domain row with its value (× 10^4, exact) and unit, each possibly null. */
export interface MeasurementRow extends DomainRow {
  readonly value: bigint | null;
  readonly unitConceptId: number | null;
}

/** CONCEPT_ANCESTOR. */
export interface ConceptAncestorRow {
  readonly ancestorConceptId: number;
  readonly descendantConceptId: number;
}

/** One hospital's OMOP data. Absent optional tables: no rows, or null for the vocabulary. */
export interface ReferenceOmopData {
  readonly person: readonly PersonRow[];
  readonly observationPeriod: readonly ObservationPeriodRow[];
  readonly visitOccurrence: readonly DomainRow[];
  readonly conditionOccurrence: readonly DomainRow[];
  readonly drugExposure: readonly DomainRow[];
  readonly measurement: readonly MeasurementRow[];
  readonly procedureOccurrence: readonly DomainRow[];
  readonly observation: readonly DomainRow[];
  /** CONCEPT's concept ids, or null without a CONCEPT table. */
  readonly concept: readonly number[] | null;
  /** CONCEPT_ANCESTOR, or null without the table. */
  readonly conceptAncestor: readonly ConceptAncestorRow[] | null;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The day number of an ISO date `YYYY-MM-DD`.
 *
 * @throws Error for anything else, including impossible dates such as 2021-02-30.
 */
export function dayNumber(text: string): DayNumber {
  const match = ISO_DATE.exec(text);
  if (match === null) throw new Error(`not a date (YYYY-MM-DD): ${JSON.stringify(text)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    throw new Error(`not a calendar date: ${text}`);
  }
  return ms / DAY_MS;
}

/** The calendar year of a day number. */
export function yearOfDay(day: DayNumber): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** The ISO date `YYYY-MM-DD` of a day number. */
export function isoDate(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
