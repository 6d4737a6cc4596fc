import type { CompileTarget } from "./CompileTarget.ts";
import type { ConceptRef, QuerySpec } from "./QuerySpec.ts";
import { SqlParams, type SqlStatement } from "./SqlParams.ts";

/** The statements that resolve a spec's concept sets into `custos_concepts`. */
export interface CompiledConceptSets {
  readonly statements: readonly SqlStatement[];
  readonly list: SqlStatement;
}

/** A union of the refs and, where asked and available, their descendants. */
function expand(refs: readonly ConceptRef[], params: SqlParams, ancestors: boolean): string {
  const parts = [
    `select ${refs.map((ref) => params.add(ref.conceptId, "bigint")).join(" as concept_id union select ")} as concept_id`,
  ];
  const withDescendants = refs.filter((ref) => ref.descendants);
  if (ancestors && withDescendants.length > 0) {
    const ids = withDescendants.map((ref) => params.add(ref.conceptId, "bigint")).join(", ");
    parts.push(
      `select ca.descendant_concept_id as concept_id from concept_ancestor ca where ca.ancestor_concept_id in (${ids})`,
    );
  }
  return parts.join(" union ");
}

/**
 * Resolves each concept set in SQL: included concepts (plus descendants from
 * CONCEPT_ANCESTOR when a ref asks and the table exists) minus excluded ones (likewise).
 */
export function compileConceptSets(spec: QuerySpec, target: CompileTarget): CompiledConceptSets {
  const statements: SqlStatement[] = [
    { sql: "drop table if exists custos_concepts", params: [] },
    { sql: "create temp table custos_concepts (set_name varchar, concept_id bigint)", params: [] },
  ];
  for (const [name, set] of Object.entries(spec.conceptSets)) {
    const params = new SqlParams();
    const setName = params.add(name, "varchar");
    const included = expand(set.include, params, target.hasConceptAncestor);
    const exclusion =
      set.exclude.length === 0
        ? ""
        : ` where i.concept_id not in (${expand(set.exclude, params, target.hasConceptAncestor)})`;
    statements.push({
      sql: `insert into custos_concepts select distinct ${setName}, i.concept_id from (${included}) i${exclusion}`,
      params: params.values(),
    });
  }
  return {
    statements,
    list: {
      sql: "select set_name, concept_id from custos_concepts order by set_name, concept_id",
      params: [],
    },
  };
}
