import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { CustosError } from "../errors/index.ts";
import type { OmopSession, OmopStore, OmopStoreInfo } from "../omopStore/index.ts";
import { buildMeasureAggregate } from "./buildMeasureAggregate.ts";
import { compileQuery } from "./compileQuery.ts";
import type { QueryAggregates } from "./QueryAggregates.ts";
import type { QuerySpec } from "./QuerySpec.ts";
import type { SqlStatement } from "./SqlParams.ts";
import { childPointer } from "./specReader.ts";

/** The resolved concept sets a run used: reproducibility needs their hash and size. */
export interface ResolvedConcepts {
  /** keccak-256 of `set:id,id,…;set:…` over the sets sorted by name, ids ascending. */
  readonly hash: `0x${string}`;
  /** Concepts over all sets (a concept in two sets counts twice). */
  readonly size: number;
}

/** Everything a run at one hospital produced, before disclosure control. */
export interface QueryRun {
  readonly aggregates: QueryAggregates;
  /**
   * The final cohort's person ids, ascending: the differencing guard's input. Custodian-side
   * only; never released.
   */
  readonly cohortPersonIds: Float64Array;
  readonly concepts: ResolvedConcepts;
  /** The data it ran on: engine, CDM and vocabulary versions, snapshot date. */
  readonly data: OmopStoreInfo;
}

/** Options of {@link runQuery}. */
export interface RunQueryOptions {
  /** Cancels the run (the running statement is interrupted). */
  readonly signal?: AbortSignal;
}

/** Every concept id a spec names, with the JSON pointer of the field naming it. */
function namedConcepts(spec: QuerySpec): Map<number, string> {
  const named = new Map<number, string>();
  for (const [set, concepts] of Object.entries(spec.conceptSets)) {
    for (const part of ["include", "exclude"] as const) {
      concepts[part].forEach((ref, i) => {
        const pointer = `${childPointer(childPointer("/conceptSets", set), part)}/${i}/conceptId`;
        if (!named.has(ref.conceptId)) named.set(ref.conceptId, pointer);
      });
    }
  }
  return named;
}

async function assertKnownConcepts(session: OmopSession, spec: QuerySpec): Promise<void> {
  const named = namedConcepts(spec);
  const ids = [...named.keys()];
  const rows = await session.run(
    `select concept_id from concept where concept_id in (${ids.map((_, i) => `$${i + 1}::bigint`).join(", ")})`,
    ids,
  );
  const known = new Set(rows.map((row) => Number(row.concept_id)));
  const unknown = ids.find((id) => !known.has(id));
  if (unknown !== undefined) {
    const field = named.get(unknown) as string;
    throw new CustosError(
      "QUERY_UNKNOWN_CONCEPT",
      `concept ${unknown} (${field}) is not in this hospital's vocabulary`,
      { details: { field, conceptId: unknown } },
    );
  }
}

async function runAll(session: OmopSession, statements: readonly SqlStatement[]): Promise<void> {
  for (const statement of statements) await session.run(statement.sql, statement.params);
}

function conceptsOf(rows: readonly { set_name: unknown; concept_id: unknown }[]): ResolvedConcepts {
  const sets = new Map<string, number[]>();
  for (const row of rows) {
    const name = String(row.set_name);
    const ids = sets.get(name) ?? [];
    ids.push(Number(row.concept_id));
    sets.set(name, ids);
  }
  const text = [...sets.keys()]
    .sort()
    .map((name) => `${name}:${(sets.get(name) ?? []).sort((a, b) => a - b).join(",")}`)
    .join(";");
  return { hash: `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`, size: rows.length };
}

/**
 * Runs a parsed spec against a hospital's OMOP store over the allowed persons only (the
 * consent allow-list, as OMOP person ids) and returns the exact aggregates. Nothing here is
 * released: disclosure control comes next.
 *
 * @throws CustosError `QUERY_UNKNOWN_CONCEPT` naming the field of a concept id the CONCEPT
 *   table lacks (checked only where the table exists); `OMOP_STORE_*` from the store.
 * @example
 * ```ts
 * const run = await runQuery(store, parseQuerySpec(json), allowedPersonIds);
 * run.aggregates.measures[0]; // e.g. { name: "n", type: "count", n: 381 }
 * ```
 */
export async function runQuery(
  store: OmopStore,
  spec: QuerySpec,
  allowedPersonIds: readonly number[] | Float64Array,
  options: RunQueryOptions = {},
): Promise<QueryRun> {
  const data = await store.info();
  const compiled = compileQuery(spec, {
    dialect: store.dialect,
    hasConceptAncestor: data.tables.includes("concept_ancestor"),
  });
  return store.withSession(
    async (session) => {
      if (data.tables.includes("concept")) await assertKnownConcepts(session, spec);
      await session.setAllowedPersons(allowedPersonIds);
      await runAll(session, compiled.conceptSets);
      const concepts = conceptsOf(
        (await session.run(compiled.resolvedConcepts.sql)) as {
          set_name: unknown;
          concept_id: unknown;
        }[],
      );
      await runAll(session, compiled.cohort);
      const [steps] = await session.run(compiled.attrition.sql, compiled.attrition.params);
      const names = ["index event", "observation", ...spec.cohort.inclusion.map((r) => r.name)];
      const attrition = names.map((step, i) => ({
        step,
        persons: Number(steps?.[`step_${i}`] ?? 0),
      }));
      const measures = [];
      for (const { measure, statement } of compiled.measures) {
        measures.push(
          buildMeasureAggregate(measure, await session.run(statement.sql, statement.params)),
        );
      }
      const ids = await session.run("select person_id from custos_final order by person_id");
      return {
        aggregates: {
          attrition,
          cohortSize: attrition[attrition.length - 1]?.persons ?? 0,
          measures,
        },
        cohortPersonIds: Float64Array.from(ids, (row) => Number(row.person_id)),
        concepts,
        data,
      };
    },
    options.signal === undefined ? {} : { signal: options.signal },
  );
}
