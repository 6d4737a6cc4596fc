import { omopDomainTables } from "./omopDomainTables.ts";
import type { Dimension, MeasurementValue, MeasureSpec } from "./QuerySpec.ts";
import { SqlParams, type SqlStatement } from "./SqlParams.ts";
import {
  dimensionIndex,
  flag,
  inConceptSet,
  occurrenceExists,
  windowCondition,
} from "./sqlFragments.ts";

/** Fixed-point scale of exact decimals: values compare and sum as DECIMAL(18,4). */
export const DECIMAL_SCALE = 4;

function dimensionColumns(by: readonly Dimension[], person: string, params: SqlParams): string {
  return by.map((d, i) => `${dimensionIndex(d, person, params)} as d${i}`).join(", ");
}

/**
 * One value per person of `custos_final`: their first (or last) measurement of the set in
 * the unit within the window, as DECIMAL(18,4); ties on date broken by measurement_id.
 */
function personValues(m: MeasurementValue, params: SqlParams): string {
  const t = omopDomainTables.measurement;
  const order = m.value === "first" ? "asc" : "desc";
  return (
    `select r.person_id, r.value from (select x.person_id, cast(x.value_as_number as decimal(18,4)) as value, ` +
    `row_number() over (partition by x.person_id order by x.${t.date} ${order}, x.${t.id} ${order}) as rn ` +
    `from ${t.table} x join custos_final f on f.person_id = x.person_id where ` +
    `${inConceptSet(`x.${t.concept}`, m.conceptSet, params)} and ` +
    `x.unit_concept_id = ${params.add(m.unitConceptId, "bigint")} and x.value_as_number is not null` +
    `${windowCondition(`x.${t.date}`, "f.index_date", m.window, params)}) r where r.rn = 1`
  );
}

function measureSql(measure: MeasureSpec, params: SqlParams): string {
  switch (measure.type) {
    case "count":
      return "select count(*) as n from custos_final";
    case "histogram": {
      const groups = measure.by.map((_, i) => `t.d${i}`).join(", ");
      return (
        `select ${groups}, count(*) as n from (select ${dimensionColumns(measure.by, "f", params)} ` +
        `from custos_final f) t group by ${groups}`
      );
    }
    case "incidenceRate": {
      const t = omopDomainTables[measure.outcome.domain];
      const d0 = measure.by.length === 0 ? "0 as d0" : dimensionColumns(measure.by, "f", params);
      const start = params.add(measure.timeAtRisk.startDays, "integer");
      const end = params.add(measure.timeAtRisk.endDays, "integer");
      const atRisk =
        `select f.person_id, ${d0}, f.index_date + ${start} as tar_start, ` +
        `least(f.index_date + ${end}, f.obs_end) as tar_end from custos_final f`;
      // Outcome records joined and grouped once, not looked up per person (see compileCohort).
      const outcomes =
        `select w.person_id, max(case when x.${t.date} < w.tar_start then 1 else 0 end) as prior, ` +
        `min(case when x.${t.date} >= w.tar_start and x.${t.date} <= w.tar_end then x.${t.date} end) as first_outcome ` +
        `from (${atRisk}) w join ${t.table} x on x.person_id = w.person_id and ` +
        `${inConceptSet(`x.${t.concept}`, measure.outcome.conceptSet, params)} group by w.person_id`;
      return (
        `select w.d0, count(*) as persons, count(o.first_outcome) as events, ` +
        `cast(sum(coalesce(o.first_outcome, w.tar_end) - w.tar_start + 1) as bigint) as person_days ` +
        `from (${atRisk}) w left join (${outcomes}) o on o.person_id = w.person_id ` +
        `where w.tar_end >= w.tar_start and coalesce(o.prior, 0) = 0 group by w.d0`
      );
    }
    case "summary": {
      const values = personValues(measure.measurement, params);
      return (
        `select count(*) as n, cast(sum(v.value) as varchar) as total, ` +
        `cast(sum(v.value * v.value) as varchar) as total_squares, ` +
        `cast(sum(abs(v.value)) as varchar) as total_abs, ` +
        `(select cast(sum(top.a) as varchar) from (select abs(u.value) as a from (${personValues(measure.measurement, params)}) u ` +
        `order by abs(u.value) desc limit 2) top) as top2_abs from (${values}) v`
      );
    }
    case "quantiles": {
      const scale = 10 ** DECIMAL_SCALE;
      const lower = Math.round(measure.bins.lower * scale);
      const width = Math.round(measure.bins.width * scale);
      const bins = Math.round((measure.bins.upper - measure.bins.lower) / measure.bins.width);
      // Fixed-point integers keep the bin of a value identical in both engines.
      const scaled = `cast(v.value * ${params.add(scale, "integer")} as bigint)`;
      const lowerParam = params.add(lower, "bigint");
      return (
        `select t.bin, count(*) as n from (select case when ${scaled} < ${lowerParam} then 0 ` +
        `when ${scaled} >= ${params.add(lower + bins * width, "bigint")} then ${params.add(bins + 1, "integer")} ` +
        `else cast(floor(cast(${scaled} - ${lowerParam} as float8) / ${params.add(width, "bigint")}) as integer) + 1 end as bin ` +
        `from (${personValues(measure.measurement, params)}) v) t group by t.bin`
      );
    }
    case "twoByTwo":
      return (
        `select t.exposed, t.outcome, count(*) as n from (select ` +
        `${flag(occurrenceExists(measure.exposure, "f", params))} as exposed, ` +
        `${flag(occurrenceExists(measure.outcome, "f", params))} as outcome ` +
        `from custos_final f) t group by t.exposed, t.outcome`
      );
  }
}

/** Compiles one measure over `custos_final` into a parameterised aggregate statement. */
export function compileMeasure(measure: MeasureSpec): SqlStatement {
  const params = new SqlParams();
  const sql = measureSql(measure, params);
  return { sql, params: params.values() };
}
