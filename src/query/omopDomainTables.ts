import type { OmopDomain } from "./QuerySpec.ts";

/** Where a domain's records live in OMOP CDM v5.4: the table and its key columns. */
export interface DomainTable {
  readonly table: string;
  readonly id: string;
  readonly concept: string;
  readonly date: string;
}

/** The OMOP CDM v5.4 table of each domain. Column names are the CDM's, so not user input. */
export const omopDomainTables: Readonly<Record<OmopDomain, DomainTable>> = Object.freeze({
  condition: {
    table: "condition_occurrence",
    id: "condition_occurrence_id",
    concept: "condition_concept_id",
    date: "condition_start_date",
  },
  drug: {
    table: "drug_exposure",
    id: "drug_exposure_id",
    concept: "drug_concept_id",
    date: "drug_exposure_start_date",
  },
  measurement: {
    table: "measurement",
    id: "measurement_id",
    concept: "measurement_concept_id",
    date: "measurement_date",
  },
  procedure: {
    table: "procedure_occurrence",
    id: "procedure_occurrence_id",
    concept: "procedure_concept_id",
    date: "procedure_date",
  },
  observation: {
    table: "observation",
    id: "observation_id",
    concept: "observation_concept_id",
    date: "observation_date",
  },
  visit: {
    table: "visit_occurrence",
    id: "visit_occurrence_id",
    concept: "visit_concept_id",
    date: "visit_start_date",
  },
});

/** OMOP gender concepts of the spec's sex categories. */
export const genderConcepts = Object.freeze({ female: 8532, male: 8507 });
