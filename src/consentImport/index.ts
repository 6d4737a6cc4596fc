/**
 * Bulk consent import (`custos/consent-import`): reads a CSV or NDJSON file of subjects and
 * document hashes as it streams, validates every row (reporting each bad one with its line),
 * and grants the rows on shared terms through the ConsentRegistry's `batchGrant` with several
 * blocks in flight, with a checkpoint of landed lines to resume from, a recent-window rate
 * for progress, and a verification pass comparing the file with the chain (a sample read
 * back from the contract, and a consent-index root over every row). `custos consent import`
 * is a thin command over it. Builds on the ledger clients, the consent vocabulary and the
 * consent index.
 *
 * @packageDocumentation
 */
export type { ConsentImportFailure } from "./ConsentImportFailure.ts";
export { ConsentImportRoot, type ImportedConsentRecord } from "./ConsentImportRoot.ts";
export type { ConsentImportRow } from "./ConsentImportRow.ts";
export { type ConsentImportFormat, consentImportFormat } from "./consentImportFormat.ts";
export { LandedLines } from "./LandedLines.ts";
export { type ProgressEstimate, ProgressRate } from "./ProgressRate.ts";
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
export {
  type ConsentImportVerification,
  defaultVerifyConsentImportOptions,
  type VerifyConsentImportOptions,
  type VerifyMismatchDetails,
  type VerifyProgress,
  verifyConsentImport,
} from "./verifyConsentImport.ts";
