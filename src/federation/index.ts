/**
 * The federated query protocol (`custos/federation`): what a hospital's data service and a
 * researcher exchange — the signed result document whose hash AccessLedger records, the
 * researcher's signed requests with replay protection, and the on-chain decline reasons —
 * and the researcher's side: a data service client, result verification, pooling of the
 * verified results and the orchestration of a federated query.
 *
 * @packageDocumentation
 */
export {
  type AwaitQueryAnswersOptions,
  awaitQueryAnswers,
  defaultAwaitQueryAnswersOptions,
  type QueryAnswers,
} from "./awaitQueryAnswers.ts";
export {
  type CollectFederatedResultsOptions,
  collectFederatedResults,
} from "./collectFederatedResults.ts";
export {
  createDataServiceClient,
  type DataServiceCallOptions,
  type DataServiceClient,
  type DataServiceClientOptions,
  type DataServiceJob,
  type DataServiceJobState,
  dataServiceJobStates,
  defaultDataServiceClientOptions,
  type SitePolicy,
} from "./createDataServiceClient.ts";
export { createNonceCache, type NonceCache } from "./createNonceCache.ts";
export {
  type DeclineReason,
  declineReasonName,
  declineReasonOf,
  declineReasons,
} from "./declineReasons.ts";
export type {
  FederatedQueryProgress,
  FederatedQueryReport,
  FederationIssue,
  HospitalOutcome,
  HospitalStatus,
  NotPooled,
  QueryStatus,
} from "./FederatedQueryReport.ts";
export type { FederationLedger, FederationPorts } from "./FederationPorts.ts";
export type {
  MeasureSites,
  PooledAttritionStep,
  PooledBin,
  PooledFigures,
  PooledIncidenceStratum,
  PooledMeasure,
  PooledQueryResult,
  PooledTable,
  SiteExclusion,
} from "./PooledQueryResult.ts";
export { type PoissonInterval, poissonInterval } from "./poissonInterval.ts";
export {
  type PoolQueryResultsOptions,
  poolQueryResults,
  type VerifiedHospitalResult,
} from "./poolQueryResults.ts";
export {
  type QueryResultDocument,
  type ResultProvenance,
  resultDocumentHash,
  type SignedQueryResult,
} from "./QueryResultDocument.ts";
export { type ReadQueryStatusOptions, readQueryStatus } from "./readQueryStatus.ts";
export {
  type RequestToSign,
  requestHeaders,
  signResearcherRequest,
  type VerifiedRequest,
  verifyResearcherRequest,
} from "./researcherRequest.ts";
export { type RunFederatedQueryOptions, runFederatedQuery } from "./runFederatedQuery.ts";
export { resultSigner, signQueryResult } from "./signedResult.ts";
export {
  type FederatedQuerySubmission,
  type SubmittedQuery,
  submitFederatedQuery,
} from "./submitFederatedQuery.ts";
export {
  type ResultCheck,
  type ResultLedger,
  resultChecks,
  type VerifyHospitalResultInput,
  verifyHospitalResult,
} from "./verifyHospitalResult.ts";
