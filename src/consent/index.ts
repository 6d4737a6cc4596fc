/**
 * The consent model (`custos/consent`): the DUO purpose and data category vocabulary,
 * consent records and their rules, the packed on-chain consent words, and the FHIR R4
 * Consent mapping. Pure: it imports no other Custos area but errors and canonical; the
 * ledger clients and the consent index build on it.
 *
 * @packageDocumentation
 */
export {
  type Address,
  type Bytes32,
  type ConsentRecord,
  type ConsentStatus,
  consentStatuses,
  type DiseaseCode,
} from "./ConsentRecord.ts";
export {
  type ConsentWords,
  decodeCategories,
  decodePurposes,
  encodeCategories,
  encodePurposes,
  toConsentWords,
} from "./ConsentWords.ts";
export {
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  coveringPurposesOf,
  coversCategories,
  type DataCategory,
  dataCategories,
  PERMISSION_MASK,
  type PurposeCode,
  type PurposeLabel,
  permitsUse,
  purposeCodes,
  unmetConditionsOf,
} from "./consentCodes.ts";
export {
  type ConsentFromFhirOptions,
  consentFromFhir,
  type FhirReference,
} from "./consentFromFhir.ts";
export { consentToFhir, type FhirConsent } from "./consentToFhir.ts";
export {
  fhirSystems,
  omopTableCategory,
  resourceTypeCategories,
  v3PurposeToDuo,
} from "./fhirConsentVocabulary.ts";
export { MAX_CONSENT_TIME, validateConsentRecord } from "./validateConsentRecord.ts";
