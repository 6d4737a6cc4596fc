/** One OMOP standard concept as the generator uses it and lists it in CONCEPT.csv. */
export interface OmopConcept {
  readonly conceptId: number;
  readonly name: string;
  readonly domainId: string;
  readonly vocabularyId: string;
  readonly conceptClassId: string;
  /** The code in its source vocabulary (SNOMED, RxNorm, LOINC, UCUM, ...). */
  readonly code: string;
  readonly validStartDate: string;
}

function concept(
  conceptId: number,
  name: string,
  domainId: string,
  vocabularyId: string,
  conceptClassId: string,
  code: string,
  validStartDate = "1970-01-01",
): OmopConcept {
  return { conceptId, name, domainId, vocabularyId, conceptClassId, code, validStartDate };
}

/**
 * Every concept the synthetic generator writes, by role. Ids, names, codes and start dates
 * match the shared ETL-Synthea sample's CONCEPT.csv where the concept appears there
 * (ethnicity, T2D, hypertension, hyperlipidaemia, asthma, lisinopril, the three measurements,
 * their units, the visit concepts); the rest are the standard Athena ids (gender, race, CKD,
 * the other RxNorm ingredients, the EHR type concept and the CDM version concept).
 */
export const omopConcepts = {
  male: concept(8507, "MALE", "Gender", "Gender", "Gender", "M"),
  female: concept(8532, "FEMALE", "Gender", "Gender", "Gender", "F"),
  white: concept(8527, "White", "Race", "Race", "Race", "5"),
  black: concept(8516, "Black or African American", "Race", "Race", "Race", "3"),
  asian: concept(8515, "Asian", "Race", "Race", "Race", "2"),
  hispanic: concept(
    38003563,
    "Hispanic or Latino",
    "Ethnicity",
    "Ethnicity",
    "Ethnicity",
    "Hispanic",
  ),
  notHispanic: concept(
    38003564,
    "Not Hispanic or Latino",
    "Ethnicity",
    "Ethnicity",
    "Ethnicity",
    "Not Hispanic",
  ),
  type2Diabetes: concept(
    201826,
    "Type 2 diabetes mellitus",
    "Condition",
    "SNOMED",
    "Clinical Finding",
    "44054006",
    "2002-01-31",
  ),
  hypertension: concept(
    320128,
    "Essential hypertension",
    "Condition",
    "SNOMED",
    "Clinical Finding",
    "59621000",
    "2002-01-31",
  ),
  hyperlipidemia: concept(
    432867,
    "Hyperlipidemia",
    "Condition",
    "SNOMED",
    "Clinical Finding",
    "55822004",
    "2002-01-31",
  ),
  asthma: concept(
    317009,
    "Asthma",
    "Condition",
    "SNOMED",
    "Clinical Finding",
    "195967001",
    "2002-01-31",
  ),
  chronicKidneyDisease: concept(
    46271022,
    "Chronic kidney disease",
    "Condition",
    "SNOMED",
    "Clinical Finding",
    "709044004",
    "2015-01-31",
  ),
  metformin: concept(1503297, "metformin", "Drug", "RxNorm", "Ingredient", "6809"),
  insulinGlargine: concept(1502905, "insulin glargine", "Drug", "RxNorm", "Ingredient", "274783"),
  lisinopril: concept(1308216, "lisinopril", "Drug", "RxNorm", "Ingredient", "29046"),
  amlodipine: concept(1332418, "amlodipine", "Drug", "RxNorm", "Ingredient", "17767"),
  atorvastatin: concept(1545958, "atorvastatin", "Drug", "RxNorm", "Ingredient", "83367"),
  albuterol: concept(1154343, "albuterol", "Drug", "RxNorm", "Ingredient", "435"),
  hba1c: concept(
    3004410,
    "Hemoglobin A1c/Hemoglobin.total in Blood",
    "Measurement",
    "LOINC",
    "Lab Test",
    "4548-4",
  ),
  bmi: concept(
    3038553,
    "Body mass index (BMI) [Ratio]",
    "Measurement",
    "LOINC",
    "Clinical Observation",
    "39156-5",
  ),
  systolicBloodPressure: concept(
    3004249,
    "Systolic blood pressure",
    "Measurement",
    "LOINC",
    "Clinical Observation",
    "8480-6",
    "1996-09-06",
  ),
  percent: concept(8554, "percent", "Unit", "UCUM", "Unit", "%"),
  kilogramPerSquareMeter: concept(
    9531,
    "kilogram per square meter",
    "Unit",
    "UCUM",
    "Unit",
    "kg/m2",
  ),
  millimeterMercury: concept(8876, "millimeter mercury column", "Unit", "UCUM", "Unit", "mm[Hg]"),
  outpatientVisit: concept(9202, "Outpatient Visit", "Visit", "Visit", "Visit", "OP"),
  inpatientVisit: concept(9201, "Inpatient Visit", "Visit", "Visit", "Visit", "IP"),
  emergencyVisit: concept(9203, "Emergency Room Visit", "Visit", "Visit", "Visit", "ER"),
  ehr: concept(32817, "EHR", "Type Concept", "Type Concept", "Type Concept", "OMOP4976890"),
  cdmV54: concept(756265, "OMOP CDM Version 5.4.0", "Metadata", "CDM", "CDM", "CDM v5.4.0"),
} as const satisfies Record<string, OmopConcept>;
