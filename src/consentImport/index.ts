/**
 * Bulk consent import (`custos/consent-import`): reads a CSV or NDJSON file of subjects and
 * document hashes as it streams, validates every row (reporting each bad one with its line),
 * and grants the rows on shared terms through the ConsentRegistry's `batchGrant`, with a
 * checkpoint of landed lines to resume from. `custos consent import` is a thin command over
 * it. Builds on the ledger clients and the consent vocabulary.
 *
 * @packageDocumentation
 */
export type { ConsentImportFailure } from "./ConsentImportFailure.ts";
export type { ConsentImportRow } from "./ConsentImportRow.ts";
export { type ConsentImportFormat, consentImportFormat } from "./consentImportFormat.ts";
export { LandedLines } from "./LandedLines.ts";
export { parseConsentTerms } from "./parseConsentTerms.ts";
export {
  type ConsentImportPlan,
  type PlanConsentImportOptions,
  planConsentImport,
} from "./planConsentImport.ts";
export { type ConsentImportItem, readConsentImportRows } from "./readConsentImportRows.ts";
export {
  type ConsentImportProgress,
  type ConsentImportReport,
  defaultRunConsentImportOptions,
  type RunConsentImportOptions,
} from "./runConsentImport.ts";
