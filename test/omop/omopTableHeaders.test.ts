import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { omopTableHeaders } from "../../src/omop/index.ts";
import { collectOmopHospital } from "./collectOmopHospital.ts";

// A copy of the header lines of the shared ETL-Synthea sample (OMOP CDM v5.4), so the test
// holds without ../shared; where the sample is present it is compared too.
const SAMPLE_HEADERS = {
  "PERSON.csv":
    "person_id,gender_concept_id,year_of_birth,month_of_birth,day_of_birth,birth_datetime,race_concept_id,ethnicity_concept_id,location_id,provider_id,care_site_id,person_source_value,gender_source_value,gender_source_concept_id,race_source_value,race_source_concept_id,ethnicity_source_value,ethnicity_source_concept_id",
  "OBSERVATION_PERIOD.csv":
    "observation_period_id,person_id,observation_period_start_date,observation_period_end_date,period_type_concept_id",
  "VISIT_OCCURRENCE.csv":
    "visit_occurrence_id,person_id,visit_concept_id,visit_start_date,visit_start_datetime,visit_end_date,visit_end_datetime,visit_type_concept_id,provider_id,care_site_id,visit_source_value,visit_source_concept_id,admitted_from_concept_id,admitted_from_source_value,discharged_to_concept_id,discharged_to_source_value,preceding_visit_occurrence_id",
  "CONDITION_OCCURRENCE.csv":
    "condition_occurrence_id,person_id,condition_concept_id,condition_start_date,condition_start_datetime,condition_end_date,condition_end_datetime,condition_type_concept_id,condition_status_concept_id,stop_reason,provider_id,visit_occurrence_id,visit_detail_id,condition_source_value,condition_source_concept_id,condition_status_source_value",
  "DRUG_EXPOSURE.csv":
    "drug_exposure_id,person_id,drug_concept_id,drug_exposure_start_date,drug_exposure_start_datetime,drug_exposure_end_date,drug_exposure_end_datetime,verbatim_end_date,drug_type_concept_id,stop_reason,refills,quantity,days_supply,sig,route_concept_id,lot_number,provider_id,visit_occurrence_id,visit_detail_id,drug_source_value,drug_source_concept_id,route_source_value,dose_unit_source_value",
  "MEASUREMENT.csv":
    "measurement_id,person_id,measurement_concept_id,measurement_date,measurement_datetime,measurement_time,measurement_type_concept_id,operator_concept_id,value_as_number,value_as_concept_id,unit_concept_id,range_low,range_high,provider_id,visit_occurrence_id,visit_detail_id,measurement_source_value,measurement_source_concept_id,unit_source_value,unit_source_concept_id,value_source_value,measurement_event_id,meas_event_field_concept_id",
  "CONCEPT.csv":
    "concept_id,concept_name,domain_id,vocabulary_id,concept_class_id,standard_concept,concept_code,valid_start_date,valid_end_date,invalid_reason",
  "CDM_SOURCE.csv":
    "cdm_source_name,cdm_source_abbreviation,cdm_holder,source_description,source_documentation_reference,cdm_etl_reference,source_release_date,cdm_release_date,cdm_version,cdm_version_concept_id,vocabulary_version",
} as const;

const SAMPLE_DIR = resolve(import.meta.dirname, "../../data/omop-synthea27nj");

describe("omopTableHeaders", () => {
  it("are the OMOP CDM v5.4 headers of the ETL-Synthea sample", () => {
    for (const [file, header] of Object.entries(SAMPLE_HEADERS)) {
      expect(omopTableHeaders[file as keyof typeof SAMPLE_HEADERS], file).toBe(header);
    }
  });

  it("equal the sample's header lines", () => {
    for (const file of Object.keys(SAMPLE_HEADERS)) {
      const first = readFileSync(resolve(SAMPLE_DIR, file), "utf8").split(/\r?\n/)[0];
      expect(omopTableHeaders[file as keyof typeof SAMPLE_HEADERS], file).toBe(first);
    }
  });

  it("list concepts that agree with the sample's CONCEPT.csv where it has them", () => {
    const sample = new Map(
      readFileSync(resolve(SAMPLE_DIR, "CONCEPT.csv"), "utf8")
        .split("\n")
        .map((line) => [line.split(",")[0], line] as const),
    );
    let compared = 0;
    for (const [id, ours] of collectConceptLines()) {
      const theirs = sample.get(id);
      if (theirs === undefined) continue;
      compared++;
      // Same id, name, domain, vocabulary, class, standard flag and code.
      expect(ours.split(",").slice(0, 7), id).toEqual(theirs.split(",").slice(0, 7));
    }
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});

function collectConceptLines(): [string, string][] {
  const { files } = collectOmopHospital({ persons: 1, hospitals: 1 }, 0);
  return (files.get("CONCEPT.csv") as string)
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((line) => [line.split(",")[0] as string, line]);
}
