/**
 * Synthetic OMOP CDM v5.4 data: a seeded, deterministic generator of persons, visits,
 * conditions, drugs and measurements for a network of hospitals, with each hospital's
 * consent and revocation files keyed by pseudonym. Pure: it hands out file chunks and the
 * caller writes them (`custos data generate` does, to disk). See docs/omop.md.
 *
 * @packageDocumentation
 */
export { createSeededRandom, type SeededRandom } from "./createSeededRandom.ts";
export { formatOmopDate, omopDay } from "./formatOmopDate.ts";
export {
  generateOmopHospital,
  type OmopChunk,
  type OmopHospitalSummary,
} from "./generateOmopHospital.ts";
export {
  type GeneratedPerson,
  generatePerson,
  MAX_VISITS_PER_PERSON,
  type PersonInput,
} from "./generatePerson.ts";
export { type OmopConcept, omopConcepts } from "./omopConcepts.ts";
export {
  checkOmopGeneratorOptions,
  defaultOmopGeneratorOptions,
  OMOP_MAX_HOSPITALS,
  type OmopGeneratorOptions,
} from "./omopGeneratorOptions.ts";
export { type OmopFile, type OmopTableFile, omopTableHeaders } from "./omopTables.ts";
export { type HospitalShare, splitPersons } from "./splitPersons.ts";
export {
  OMOP_SYNTHETIC_CONSENT_TERMS,
  OMOP_SYNTHETIC_PROJECT_ID,
  syntheticMasterKey,
} from "./syntheticMasterKey.ts";
