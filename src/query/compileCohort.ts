import { genderConcepts, omopDomainTables } from "./omopDomainTables.ts";
import type { InclusionRule, MeasurementCriterion, QuerySpec } from "./QuerySpec.ts";
import { SqlParams, type SqlStatement } from "./SqlParams.ts";
import { flag, inConceptSet, occurrenceExists, windowCondition } from "./sqlFragments.ts";

/** The cohort's statements and the attrition query. */
export interface CompiledCohort {
  readonly statements: readonly SqlStatement[];
  readonly attrition: SqlStatement;
}

function measurementExists(m: MeasurementCriterion, params: SqlParams): string {
  const t = omopDomainTables.measurement;
  const bounds: string[] = [];
  if (m.min !== null) {
    bounds.push(
      `cast(x.value_as_number as decimal(18,4)) >= ${params.add(m.min, "decimal(18,4)")}`,
    );
  }
  if (m.max !== null) {
    bounds.push(
      `cast(x.value_as_number as decimal(18,4)) <= ${params.add(m.max, "decimal(18,4)")}`,
    );
  }
  return (
    `exists (select 1 from ${t.table} x where x.person_id = b.person_id and ` +
    `${inConceptSet(`x.${t.concept}`, m.conceptSet, params)} and ` +
    `x.unit_concept_id = ${params.add(m.unitConceptId, "bigint")} and x.value_as_number is not null and ` +
    `${bounds.join(" and ")}${windowCondition(`x.${t.date}`, "b.index_date", m.window, params)})`
  );
}

function ruleColumn(rule: InclusionRule, params: SqlParams): string {
  if ("ageAtIndex" in rule) {
    const parts: string[] = [];
    if (rule.ageAtIndex.min !== null) {
      parts.push(`b.age_at_index >= ${params.add(rule.ageAtIndex.min, "integer")}`);
    }
    if (rule.ageAtIndex.max !== null) {
      parts.push(`b.age_at_index <= ${params.add(rule.ageAtIndex.max, "integer")}`);
    }
    return flag(parts.join(" and "));
  }
  if ("sex" in rule) {
    const ids = rule.sex.map((sex) => params.add(genderConcepts[sex], "bigint")).join(", ");
    return flag(`b.gender_concept_id in (${ids})`);
  }
  if ("has" in rule) return flag(occurrenceExists(rule.has, "b", params));
  if ("hasNot" in rule) return flag(`not ${occurrenceExists(rule.hasNot, "b", params)}`);
  return flag(measurementExists(rule.measurement, params));
}

/**
 * Compiles the cohort. Index events are found only among persons in `custos_allowed`; the
 * index date must lie in an observation period with the required days before and after it
 * (OHDSI's qualifying-event rule: a person whose index event lacks them is not moved to a
 * later event); age is index year − year of birth.
 */
export function compileCohort(spec: QuerySpec): CompiledCohort {
  const { index, observation, inclusion } = spec.cohort;
  const t = omopDomainTables[index.domain];
  const indexParams = new SqlParams();
  const pick = index.occurrence === "first" ? "min" : "max";
  const events =
    `select e.person_id, ${pick}(e.${t.date}) as index_date from ${t.table} e ` +
    `join custos_allowed a on a.person_id = e.person_id ` +
    `where ${inConceptSet(`e.${t.concept}`, index.conceptSet, indexParams)} group by e.person_id`;
  // Joins and groups, not per-person subqueries: PostgreSQL runs a correlated subquery once
  // per row, which without an index on person_id scans the table each time.
  const periods =
    `select x.person_id, max(op.observation_period_start_date) as obs_start, ` +
    `min(op.observation_period_end_date) as obs_end from custos_index x ` +
    `join observation_period op on op.person_id = x.person_id and ` +
    `x.index_date >= op.observation_period_start_date and x.index_date <= op.observation_period_end_date ` +
    `group by x.person_id`;
  const base =
    `select i.person_id, i.index_date, p.gender_concept_id, ` +
    `cast(extract(year from i.index_date) as integer) as index_year, ` +
    `cast(extract(year from i.index_date) as integer) - p.year_of_birth as age_at_index, ` +
    `o.obs_start, o.obs_end ` +
    `from custos_index i join person p on p.person_id = i.person_id ` +
    `left join (${periods}) o on o.person_id = i.person_id`;
  const params = new SqlParams();
  const observed = flag(
    `b.obs_start is not null and b.index_date - b.obs_start >= ${params.add(observation.priorDays, "integer")} ` +
      `and b.obs_end - b.index_date >= ${params.add(observation.postDays, "integer")}`,
  );
  const rules = inclusion.map((rule, i) => `${ruleColumn(rule, params)} as r${i}`);
  const columns = ["b.*", `${observed} as obs_ok`, ...rules].join(", ");
  const passing = ["obs_ok = 1", ...inclusion.map((_, i) => `r${i} = 1`)];
  const steps = ["count(*) as step_0"];
  for (let step = 1; step <= passing.length; step++) {
    steps.push(`count(*) filter (where ${passing.slice(0, step).join(" and ")}) as step_${step}`);
  }
  return {
    statements: [
      { sql: "drop table if exists custos_index", params: [] },
      { sql: `create temp table custos_index as ${events}`, params: indexParams.values() },
      { sql: "drop table if exists custos_cohort", params: [] },
      { sql: "drop table if exists custos_final", params: [] },
      {
        sql: `create temp table custos_cohort as select ${columns} from (${base}) b`,
        params: params.values(),
      },
      {
        sql: `create temp table custos_final as select * from custos_cohort where ${passing.join(" and ")}`,
        params: [],
      },
    ],
    attrition: { sql: `select ${steps.join(", ")} from custos_cohort`, params: [] },
  };
}
