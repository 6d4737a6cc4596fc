export {
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  coversCategories,
  type DataCategory,
  dataCategories,
  PERMISSION_MASK,
  type PurposeCode,
  type PurposeLabel,
  permitsUse,
  purposeCodes,
} from "./consentCodes.ts";
