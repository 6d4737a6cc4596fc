import { canonicalHash } from "../canonical/index.ts";
import { CustosError } from "../errors/index.ts";
import { createMasterKey, createPseudonymiser, deriveProjectKey } from "../pseudonym/index.ts";
import { createSeededRandom } from "./createSeededRandom.ts";
import { formatOmopDate, omopDay } from "./formatOmopDate.ts";
import { generatePerson } from "./generatePerson.ts";
import { type OmopConcept, omopConcepts } from "./omopConcepts.ts";
import { checkOmopGeneratorOptions, type OmopGeneratorOptions } from "./omopGeneratorOptions.ts";
import { type OmopFile, type OmopTableFile, omopTableHeaders } from "./omopTables.ts";
import { splitPersons } from "./splitPersons.ts";
import {
  OMOP_SYNTHETIC_CONSENT_TERMS,
  OMOP_SYNTHETIC_PROJECT_ID,
  syntheticMasterKey,
} from "./syntheticMasterKey.ts";

/** A piece of one file of a synthetic hospital, in the order it is to be appended. */
export interface OmopChunk {
  readonly file: OmopFile;
  readonly text: string;
  /** Persons of this hospital generated so far, for progress. */
  readonly persons: number;
}

/** What one synthetic hospital holds, once generated. */
export interface OmopHospitalSummary {
  readonly hospital: number;
  readonly persons: number;
  /** First and last person_id. */
  readonly personIds: readonly [number, number];
  /** Persons listed in consents.csv. */
  readonly consents: number;
  /** Persons listed in revocations.csv. */
  readonly revocations: number;
}

/** Characters a file's buffer collects before it is handed out as a chunk. */
const CHUNK_CHARS = 1 << 16;

/** The CSV files in the order their buffers are flushed at the end. */
const CSV_FILES = Object.keys(omopTableHeaders) as OmopTableFile[];

/** A CSV field: quoted (with doubled quotes) only when it has to be. */
function field(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function conceptLine(concept: OmopConcept): string {
  return `${concept.conceptId},${field(concept.name)},${concept.domainId},${concept.vocabularyId},${concept.conceptClassId},S,${field(concept.code)},${concept.validStartDate},2099-12-31,\n`;
}

/**
 * Generates one hospital of a synthetic OMOP CDM v5.4 data set as a stream of chunks: PERSON,
 * OBSERVATION_PERIOD, VISIT_OCCURRENCE, CONDITION_OCCURRENCE, DRUG_EXPOSURE and MEASUREMENT
 * rows (see {@link generatePerson}); CONCEPT.csv with every concept used; CDM_SOURCE.csv
 * (cdm_version "v5.4", released on the reference date); consents.csv and revocations.csv
 * (`subject,documentHash`, the form `custos consent import` reads); and pseudonym-key.json.
 *
 * Persons draw from their hospital's own seeded stream (seed and hospital index), so a
 * hospital's rows do not depend on the other hospitals, and consent draws are made for every
 * person, so the rates change who consents but not the clinical rows. Subjects are the
 * persons' pseudonyms (HMAC-SHA-256, kind "mrn", project {@link OMOP_SYNTHETIC_PROJECT_ID},
 * over person_source_value `H<hospital>-<n>`) under a master key derived from the seed and
 * the hospital; each document hash is keccak-256 of a canonical consent (or revocation)
 * document. Buffers are handed out at about 64 KiB, so memory stays flat; append each chunk
 * to its file in order and the files are complete when the generator returns. Pure and
 * deterministic: equal options give equal chunks.
 *
 * @throws CustosError `INVALID_ARGUMENT` for bad options (see `checkOmopGeneratorOptions`)
 *   or a hospital index outside the data set, before the first chunk.
 * @example
 * ```ts
 * const chunks = generateOmopHospital({ persons: 1000, hospitals: 2, seed: 7 }, 0);
 * for (let step = chunks.next(); !step.done; step = chunks.next()) append(step.value);
 * ```
 */
export function* generateOmopHospital(
  options: OmopGeneratorOptions,
  hospital: number,
): Generator<OmopChunk, OmopHospitalSummary, void> {
  const checked = checkOmopGeneratorOptions(options);
  const { seed, consentRate, revocationRate, referenceDate } = checked;
  const shares = splitPersons(checked.persons, checked.hospitals);
  const share = shares[hospital];
  if (!Number.isSafeInteger(hospital) || share === undefined) {
    throw new CustosError("INVALID_ARGUMENT", "hospital must be an index of the data set", {
      details: { field: "hospital" },
    });
  }
  const referenceDay = omopDay(referenceDate);
  const masterKeyHex = syntheticMasterKey(seed, hospital);
  const pseudonymiser = createPseudonymiser({
    key: deriveProjectKey(createMasterKey(masterKeyHex), { projectId: OMOP_SYNTHETIC_PROJECT_ID }),
    kind: "mrn",
  });
  const random = createSeededRandom(`custos/omop-synthetic/v1/${seed}/hospital/${hospital}`);

  const buffers = new Map<OmopTableFile, string>(
    CSV_FILES.map((file) => [file, `${omopTableHeaders[file]}\n`]),
  );
  let done = 0;
  let consents = 0;
  let revocations = 0;

  function* append(file: OmopTableFile, text: string): Generator<OmopChunk> {
    const buffered = (buffers.get(file) as string) + text;
    if (buffered.length < CHUNK_CHARS) {
      buffers.set(file, buffered);
      return;
    }
    buffers.set(file, "");
    yield { file, text: buffered, persons: done };
  }

  for (let n = 0; n < share.persons; n++) {
    const personId = share.offset + n + 1;
    const sourceValue = `H${hospital}-${n}`;
    const rows = generatePerson(random, { personId, sourceValue, referenceDay });
    // Always drawn, so the rates never shift the next person's draws.
    const consentDraw = random.next();
    const revokeDraw = random.next();
    const span = rows.observationEnd - rows.observationStart + 1;
    const consentDay = rows.observationStart + Math.floor(random.next() * span);
    const revokeDay =
      consentDay + Math.floor(random.next() * (rows.observationEnd - consentDay + 1));
    done = n + 1;
    yield* append("PERSON.csv", rows.person);
    yield* append("OBSERVATION_PERIOD.csv", rows.observationPeriod);
    if (rows.visits !== "") yield* append("VISIT_OCCURRENCE.csv", rows.visits);
    if (rows.conditions !== "") yield* append("CONDITION_OCCURRENCE.csv", rows.conditions);
    if (rows.drugs !== "") yield* append("DRUG_EXPOSURE.csv", rows.drugs);
    if (rows.measurements !== "") yield* append("MEASUREMENT.csv", rows.measurements);
    if (consentDraw >= consentRate) continue;
    const subject = pseudonymiser.pseudonymise(sourceValue);
    const consentHash = canonicalHash({
      type: "custos-synthetic-consent",
      version: 1,
      synthetic: true,
      hospital,
      subject,
      status: "active",
      purposes: [...OMOP_SYNTHETIC_CONSENT_TERMS.purposes],
      categories: [...OMOP_SYNTHETIC_CONSENT_TERMS.categories],
      date: formatOmopDate(consentDay),
    });
    consents++;
    yield* append("consents.csv", `${subject},${consentHash}\n`);
    if (revokeDraw >= revocationRate) continue;
    const revocationHash = canonicalHash({
      type: "custos-synthetic-consent-revocation",
      version: 1,
      synthetic: true,
      hospital,
      subject,
      revokes: consentHash,
      date: formatOmopDate(revokeDay),
    });
    revocations++;
    yield* append("revocations.csv", `${subject},${revocationHash}\n`);
  }

  yield* append("CONCEPT.csv", Object.values(omopConcepts).map(conceptLine).join(""));
  const release = formatOmopDate(referenceDay);
  yield* append(
    "CDM_SOURCE.csv",
    `Custos synthetic hospital ${hospital},CUSTOS-H${hospital},Custos (synthetic),${field(
      `Synthetic data from custos data generate (seed ${seed}, ${checked.persons} persons in ${checked.hospitals} hospital${checked.hospitals === 1 ? "" : "s"}); no real patients`,
    )},docs/omop.md,,${release},${release},v5.4,${omopConcepts.cdmV54.conceptId},Athena standard concepts (see CONCEPT.csv)\n`,
  );
  for (const file of CSV_FILES) {
    const text = buffers.get(file) as string;
    if (text !== "") yield { file, text, persons: done };
  }
  const keyFile = {
    note: "SYNTHETIC DATA ONLY: this master key is derived from the public generator seed and protects nothing. Never use it for real patients.",
    synthetic: true,
    hospital,
    seed,
    masterKey: masterKeyHex,
    keyVersion: 1,
    projectId: OMOP_SYNTHETIC_PROJECT_ID,
    identifierKind: "mrn",
    identifier: "person_source_value",
  };
  yield {
    file: "pseudonym-key.json",
    text: `${JSON.stringify(keyFile, null, 2)}\n`,
    persons: done,
  };
  return {
    hospital,
    persons: share.persons,
    personIds: [share.offset + 1, share.offset + share.persons],
    consents,
    revocations,
  };
}
