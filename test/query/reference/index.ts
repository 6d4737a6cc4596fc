/**
 * An independent reference evaluator of query specs over in-memory OMOP rows, for
 * differential tests of the SQL compiler and of pooled federated answers.
 */
export {
  evaluateReference,
  type ReferenceResult,
  ReferenceUnknownConceptError,
} from "./evaluateReference.ts";
export { readOmopCsvDirectory } from "./readOmopCsvDirectory.ts";
export type {
  ConceptAncestorRow,
  DayNumber,
  DomainRow,
  MeasurementRow,
  ObservationPeriodRow,
  PersonRow,
  ReferenceOmopData,
} from "./referenceOmopData.ts";
export { dayNumber, isoDate, yearOfDay } from "./referenceOmopData.ts";
