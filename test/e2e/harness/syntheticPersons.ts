import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { readPseudonymKeyFile } from "../../../nodes/dataService/index.ts";

/** One synthetic hospital's persons with their consent subjects, read from its files alone. */
export interface SyntheticPersons {
  /** The person's pseudonym (consent subject) under the hospital's key. */
  subjectOf(personId: number): `0x${string}`;
  /**
   * Person ids whose consent is granted and not revoked, by consents.csv and revocations.csv
   * and the subjects in `alsoRevoked` (revoked later on chain), ascending.
   */
  consenting(alsoRevoked?: ReadonlySet<string>): number[];
  /** The person's identifier at the hospital (PERSON.person_source_value). */
  identifierOf(personId: number): string;
  /** Every person id, ascending. */
  allPersonIds(): number[];
}

async function subjects(file: string): Promise<string[]> {
  const rows = parse(await readFile(file, "utf8"), { columns: true }) as { subject: string }[];
  return rows.map((row) => row.subject);
}

/**
 * Reads a `custos data generate` hospital directory the way a test checks a data service
 * against it: PERSON.csv, the pseudonym key, consents.csv and revocations.csv.
 */
export async function readSyntheticPersons(hospitalDir: string): Promise<SyntheticPersons> {
  const persons = parse(await readFile(join(hospitalDir, "PERSON.csv"), "utf8"), {
    columns: true,
  }) as {
    person_id: string;
    person_source_value: string;
  }[];
  const { pseudonymiser } = await readPseudonymKeyFile(join(hospitalDir, "pseudonym-key.json"));
  const subject = new Map(
    persons.map((p) => [Number(p.person_id), pseudonymiser.pseudonymise(p.person_source_value)]),
  );
  const revoked = new Set(await subjects(join(hospitalDir, "revocations.csv")));
  const granted = new Set(await subjects(join(hospitalDir, "consents.csv")));
  const identifier = new Map(persons.map((p) => [Number(p.person_id), p.person_source_value]));
  return {
    identifierOf: (personId) => {
      const found = identifier.get(personId);
      if (found === undefined) throw new Error(`no person ${personId}`);
      return found;
    },
    allPersonIds: () => [...subject.keys()].sort((a, b) => a - b),
    subjectOf: (personId) => {
      const found = subject.get(personId);
      if (found === undefined) throw new Error(`no person ${personId}`);
      return found;
    },
    consenting: (alsoRevoked = new Set()) =>
      [...subject]
        .filter(([, s]) => granted.has(s) && !revoked.has(s) && !alsoRevoked.has(s))
        .map(([id]) => id)
        .sort((a, b) => a - b),
  };
}
