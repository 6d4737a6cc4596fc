import type { OmopStore } from "../../src/omopStore/index.ts";
import type { PersonPseudonymiser } from "./readPseudonymKeyFile.ts";

/**
 * Every OMOP person of the hospital with their consent subject (pseudonym), position by
 * position: the consent index filters `subjects`, and the allowed positions pick
 * `personIds`. Built once at start (and after a data refresh); never logged.
 */
export interface PersonMap {
  readonly count: number;
  /** 32 bytes per person, in `personIds` order. */
  readonly subjects: Uint8Array;
  readonly personIds: Float64Array;
}

/**
 * Reads PERSON and pseudonymises each person's identifier with the hospital's key. A person
 * without an identifier has no subject and so can never be allowed: they are left out.
 */
export async function buildPersonMap(
  store: OmopStore,
  keys: PersonPseudonymiser,
): Promise<PersonMap> {
  const rows = await store.withSession((session) =>
    session.run(
      `select person_id, cast(${keys.column} as varchar) as identifier from person order by person_id`,
    ),
  );
  const identified = rows.filter(
    (row) => typeof row.identifier === "string" && row.identifier !== "",
  );
  const identifiers = identified.map((row) => row.identifier as string);
  return {
    count: identified.length,
    subjects: keys.pseudonymiser.pseudonymiseMany(identifiers),
    personIds: Float64Array.from(identified, (row) => Number(row.person_id)),
  };
}
