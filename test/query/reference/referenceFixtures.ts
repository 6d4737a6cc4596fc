/** Small hand-made OMOP data sets for the reference evaluator's tests. */
import { parseQuerySpec } from "../../../src/query/parseQuerySpec.ts";
import type { QuerySpec } from "../../../src/query/QuerySpec.ts";
import { parseExactDecimal, roundToScale, VALUE_SCALE } from "./referenceDecimal.ts";
import {
  type DayNumber,
  type DomainRow,
  dayNumber,
  type MeasurementRow,
  type ObservationPeriodRow,
  type PersonRow,
  type ReferenceOmopData,
} from "./referenceOmopData.ts";

export const FEMALE = 8532;
export const MALE = 8507;

/** Day number of an ISO date, shifted by `plus` days. */
export const day = (iso: string, plus = 0): DayNumber => dayNumber(iso) + plus;

export const person = (personId: number, yearOfBirth: number, gender = FEMALE): PersonRow => ({
  personId,
  genderConceptId: gender,
  yearOfBirth,
});

export const period = (personId: number, start: string, end: string): ObservationPeriodRow => ({
  personId,
  startDate: day(start),
  endDate: day(end),
});

let nextId = 1;

/** A domain record; ids are unique unless given. */
export const record = (
  personId: number,
  conceptId: number,
  date: DayNumber,
  id = nextId++,
): DomainRow => ({ id, personId, conceptId, date });

/** A measurement with its value as decimal text (or null). */
export const measurement = (
  personId: number,
  conceptId: number,
  date: DayNumber,
  value: string | null,
  unitConceptId: number | null,
  id = nextId++,
): MeasurementRow => ({
  id,
  personId,
  conceptId,
  date,
  value: value === null ? null : roundToScale(parseExactDecimal(value), VALUE_SCALE),
  unitConceptId,
});

/** A data set with the given tables, every other table empty (vocabulary absent). */
export function omopData(tables: Partial<ReferenceOmopData>): ReferenceOmopData {
  return {
    person: [],
    observationPeriod: [],
    visitOccurrence: [],
    conditionOccurrence: [],
    drugExposure: [],
    measurement: [],
    procedureOccurrence: [],
    observation: [],
    concept: null,
    conceptAncestor: null,
    ...tables,
  };
}

/** A parsed spec: `cohort` and `measures` given, concept sets as `{ name: [ids] }`. */
export function querySpec(
  conceptSets: Record<string, readonly number[]>,
  cohort: Record<string, unknown>,
  measures: readonly Record<string, unknown>[] = [{ name: "n", type: "count" }],
): QuerySpec {
  return parseQuerySpec({
    version: 1,
    conceptSets: Object.fromEntries(
      Object.entries(conceptSets).map(([name, ids]) => [
        name,
        { include: ids.map((conceptId) => ({ conceptId })) },
      ]),
    ),
    cohort: { inclusion: [], ...cohort },
    measures,
  });
}
