import type { CompileTarget } from "./CompileTarget.ts";
import { compileCohort } from "./compileCohort.ts";
import { compileConceptSets } from "./compileConceptSets.ts";
import { compileMeasure } from "./compileMeasure.ts";
import type { MeasureSpec, QuerySpec } from "./QuerySpec.ts";
import type { SqlStatement } from "./SqlParams.ts";

/** One measure's statement. */
export interface CompiledMeasure {
  readonly measure: MeasureSpec;
  readonly statement: SqlStatement;
}

/**
 * A spec as statements, run in order in one session whose `custos_allowed` table holds the
 * consent allow-list:
 * 1. `conceptSets` fill `custos_concepts(set_name, concept_id)` with the resolved sets;
 * 2. `cohort` builds `custos_cohort` (every consenting person with an index event, with an
 *    observation flag and one flag per inclusion rule) and `custos_final` (those passing all);
 * 3. `attrition` returns one row, `step_0` … `step_n`: persons with an index event, then left
 *    after the observation requirement and after each rule in turn;
 * 4. each measure reads `custos_final` only.
 * The allow-list is joined where index events are found, so no statement ever sees a person
 * outside it.
 */
export interface CompiledQuery {
  readonly conceptSets: readonly SqlStatement[];
  /** Lists the resolved sets: rows `(set_name, concept_id)` ordered by both. */
  readonly resolvedConcepts: SqlStatement;
  readonly cohort: readonly SqlStatement[];
  readonly attrition: SqlStatement;
  readonly measures: readonly CompiledMeasure[];
}

/**
 * Compiles a parsed spec into parameterised SQL for one engine. Pure: the same spec and
 * target give the same statements.
 *
 * @example
 * ```ts
 * const compiled = compileQuery(parseQuerySpec(json), { dialect: "duckdb", hasConceptAncestor: false });
 * ```
 */
export function compileQuery(spec: QuerySpec, target: CompileTarget): CompiledQuery {
  const concepts = compileConceptSets(spec, target);
  const cohort = compileCohort(spec);
  return {
    conceptSets: concepts.statements,
    resolvedConcepts: concepts.list,
    cohort: cohort.statements,
    attrition: cohort.attrition,
    measures: spec.measures.map((measure) => ({ measure, statement: compileMeasure(measure) })),
  };
}
