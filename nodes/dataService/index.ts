/**
 * The hospital data service (`custos data-service`): runs approved queries on the hospital's
 * own OMOP data over consenting patients and releases only checked statistics. A separate
 * process from the validator node; see docs/data-service.md.
 *
 * @packageDocumentation
 */
export { buildPersonMap, type PersonMap } from "./buildPersonMap.ts";
export { checkQueryTerms } from "./checkQueryTerms.ts";
export {
  createDataServiceServer,
  publicPolicy,
  REQUEST_WINDOW_SECONDS,
} from "./createDataServiceServer.ts";
export { createDataServiceStore, type DataServiceStore } from "./createDataServiceStore.ts";
export { createLedgerBudgetStore } from "./createLedgerBudgetStore.ts";
export {
  type DataServiceConfig,
  dataServiceConfigSchema,
  measureTypeNames,
} from "./dataServiceConfigSchema.ts";
export type { JobContext } from "./JobContext.ts";
export {
  loadDataServiceConfig,
  type ResolvedDataServiceConfig,
  resolveDataServiceConfig,
} from "./loadDataServiceConfig.ts";
export {
  finalJobStates,
  type QueryJob,
  type QueryJobState,
  type StoredLedgerResult,
} from "./QueryJob.ts";
export { type PersonPseudonymiser, readPseudonymKeyFile } from "./readPseudonymKeyFile.ts";
export { recoverJobs } from "./recoverJobs.ts";
export { type JobLoop, type JobLoopOptions, runJobLoop } from "./runJobLoop.ts";
export { declineJob, runQueryJob } from "./runQueryJob.ts";
export { scanAccessLedger } from "./scanAccessLedger.ts";
export { sendJobOutcome } from "./sendJobOutcome.ts";
export {
  createSiteTrail,
  createSiteTrailAnchorer,
  readSiteTrail,
  SITE_TRAIL_FILE,
  type SiteTrail,
  type SiteTrailAnchorer,
  type SiteTrailEntry,
  type SiteTrailHead,
  type SiteTrailKind,
  type SiteTrailVerification,
  sitePolicyChange,
  verifySiteTrail,
  verifySiteTrailOnChain,
} from "./siteTrail/index.ts";
export {
  type DataServiceHandle,
  type StartDataServiceOptions,
  startDataService,
} from "./startDataService.ts";
