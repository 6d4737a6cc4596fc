import { genderConcepts, omopDomainTables } from "./omopDomainTables.ts";
import { AGE_BAND_CAP } from "./parseQuerySpec.ts";
import type { DayWindow, Dimension, OccurrenceCriterion } from "./QuerySpec.ts";
import type { SqlParams } from "./SqlParams.ts";

/** `column in (the resolved concept set)`. */
export function inConceptSet(column: string, set: string, params: SqlParams): string {
  return `${column} in (select concept_id from custos_concepts where set_name = ${params.add(set, "varchar")})`;
}

/** Bounds of `dateColumn` relative to `indexDate` (both inclusive; null is unbounded). */
export function windowCondition(
  dateColumn: string,
  indexDate: string,
  window: DayWindow,
  params: SqlParams,
): string {
  const parts: string[] = [];
  if (window.startDays !== null) {
    parts.push(`${dateColumn} >= ${indexDate} + ${params.add(window.startDays, "integer")}`);
  }
  if (window.endDays !== null) {
    parts.push(`${dateColumn} <= ${indexDate} + ${params.add(window.endDays, "integer")}`);
  }
  return parts.length === 0 ? "" : ` and ${parts.join(" and ")}`;
}

/** `exists (a record of the set in the domain, in the window around person's index date)`. */
export function occurrenceExists(
  occurrence: OccurrenceCriterion,
  person: string,
  params: SqlParams,
): string {
  const t = omopDomainTables[occurrence.domain];
  return (
    `exists (select 1 from ${t.table} x where x.person_id = ${person}.person_id and ` +
    `${inConceptSet(`x.${t.concept}`, occurrence.conceptSet, params)}` +
    `${windowCondition(`x.${t.date}`, `${person}.index_date`, occurrence.window, params)})`
  );
}

/** `1` when the condition holds, else `0`. */
export function flag(condition: string): string {
  return `case when ${condition} then 1 else 0 end`;
}

/**
 * A dimension's category index (0-based, as `dimensionCategories` lists them) for a row of
 * `custos_final` aliased `person`.
 */
export function dimensionIndex(dimension: Dimension, person: string, params: SqlParams): string {
  switch (dimension.dimension) {
    case "sex":
      return (
        `case when ${person}.gender_concept_id = ${params.add(genderConcepts.female, "bigint")} then 0 ` +
        `when ${person}.gender_concept_id = ${params.add(genderConcepts.male, "bigint")} then 1 else 2 end`
      );
    case "ageBand": {
      const open = Math.ceil(AGE_BAND_CAP / dimension.width);
      const band = `cast(floor(cast(${person}.age_at_index as float8) / ${params.add(dimension.width, "integer")}) as integer)`;
      return `least(greatest(${band}, 0), ${params.add(open, "integer")})`;
    }
    case "indexYear": {
      const from = params.add(dimension.from, "integer");
      const to = params.add(dimension.to, "integer");
      return (
        `case when ${person}.index_year < ${from} then 0 ` +
        `when ${person}.index_year > ${to} then ${params.add(dimension.to - dimension.from + 2, "integer")} ` +
        `else ${person}.index_year - ${params.add(dimension.from - 1, "integer")} end`
      );
    }
  }
}
