import { canonicalHash } from "../../../../src/canonical/index.ts";
import { openOmopStore } from "../../../../src/omopStore/index.ts";
import {
  type QuerySpec,
  type ReleasedStatistics,
  releaseQueryResult,
  runQuery,
} from "../../../../src/query/index.ts";

/** Settings of a dry run. */
export interface LocalQueryOptions {
  readonly minCellSize: number;
}

/** What a dry run prints. */
export interface LocalQueryOutcome {
  readonly specHash: `0x${string}`;
  /** Always true: the dry run takes every person in PERSON as consenting. */
  readonly everyPersonConsenting: true;
  readonly data: {
    readonly engine: string;
    readonly cdmVersion: string | null;
    readonly vocabularyVersion: string | null;
    readonly snapshotDate: string | null;
    readonly persons: number;
  };
  readonly concepts: { readonly hash: string; readonly size: number };
  readonly status: "released" | "declined";
  /** The error code a hospital would decline with, or null. */
  readonly declineCode: string | null;
  readonly statistics: ReleasedStatistics | null;
}

/**
 * Runs a spec on a local OMOP directory with embedded DuckDB, every person allowed, and
 * releases it under the disclosure rules (no noise, no differencing history), as a hospital
 * would: the researcher sees what would come back before submitting.
 */
export async function runLocalQuery(
  directory: string,
  spec: QuerySpec,
  options: LocalQueryOptions,
): Promise<LocalQueryOutcome> {
  const store = await openOmopStore({ engine: "duckdb", path: directory });
  try {
    const persons = await store.withSession((session) =>
      session.run("select person_id from person order by person_id"),
    );
    const run = await runQuery(
      store,
      spec,
      persons.map((row) => Number(row.person_id)),
    );
    const specHash = canonicalHash(spec);
    const release = await releaseQueryResult(
      run.aggregates,
      {
        disclosure: { minCellSize: options.minCellSize, minCohortDifference: options.minCellSize },
      },
      {},
      { requester: "local", hospital: "local", queryId: specHash, cohort: run.cohortPersonIds },
    );
    return {
      specHash,
      everyPersonConsenting: true,
      data: {
        engine: run.data.engine,
        cdmVersion: run.data.cdmVersion,
        vocabularyVersion: run.data.vocabularyVersion,
        snapshotDate: run.data.sourceReleaseDate,
        persons: run.data.personCount,
      },
      concepts: run.concepts,
      status: release.status,
      declineCode: release.status === "declined" ? release.code : null,
      statistics: release.status === "released" ? release.statistics : null,
    };
  } finally {
    await store.close();
  }
}
