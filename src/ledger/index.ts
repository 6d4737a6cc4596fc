export type {
  AbiInput,
  AbiInputPrimitive,
  AbiInputStruct,
  AbiInputs,
  AbiParameter,
  AbiPrimitive,
  AbiStruct,
  AbiValue,
  Hex,
} from "./abiValues.ts";
export {
  buildConsentTypedData,
  type ConsentRecordMessage,
  type ConsentTermsMessage,
  type ConsentTypedData,
  type ConsentTypedDataDomain,
  type ConsentTypedDataKind,
  type ConsentTypedDataMessages,
  consentTypedDataDomain,
  consentTypedDataTypes,
  type InvalidateSignaturesMessage,
  type RevokeMessage,
  type SetDelegateMessage,
  type SignedConsentChange,
  signConsentTypedData,
} from "./consentTypedData.ts";
export { contractErrorCodes } from "./contractErrorCodes.ts";
export {
  type AccessLedgerClient,
  type AccessLedgerClientOptions,
  createAccessLedgerClient,
  type LedgerBudget,
  type LedgerQuery,
  type LedgerQueryStatus,
  type LedgerResponse,
  type LedgerResponseStatus,
  type LedgerResult,
  type LedgerSiteTrailAnchor,
  type LedgerSiteTrailHead,
  type LedgerTransaction,
  type QueryEventOptions,
  type QueryId,
  type QuerySubmission,
  resultDigest,
  type SiteTrailAnchorOptions,
} from "./createAccessLedgerClient.ts";
export {
  type ConsentEventOptions,
  type ConsentRegistryClient,
  type ConsentRegistryClientOptions,
  type ConsentTerms,
  type ConsentTransaction,
  createConsentRegistryClient,
  type OnChainConsent,
  type OnChainConsentStatus,
  type SignOptions,
} from "./createConsentRegistryClient.ts";
export {
  type ConsortiumBinding,
  type ConsortiumCapacity,
  type ConsortiumClient,
  type ConsortiumClientOptions,
  type ConsortiumOrganisation,
  type ConsortiumProposal,
  type ConsortiumRole,
  type ConsortiumTransaction,
  consortiumCapacities,
  consortiumRoles,
  createConsortiumClient,
  type OrganisationInput,
  type ProposalKind,
  type ProposalState,
  type ProposalTransaction,
  proposalKinds,
  proposalStates,
} from "./createConsortiumClient.ts";
export {
  type ContractErrorDetails,
  decodeContractError,
  findRevertData,
} from "./decodeContractError.ts";
export type {
  AccessLedgerEvent,
  ConsentRegistryEvent,
  ConsortiumEvent,
  ContractEvent,
  LedgerEvent,
} from "./LedgerEvent.ts";
export { LedgerRpcProvider } from "./LedgerRpcProvider.ts";
export {
  allLedgerContracts,
  type LedgerContract,
  type LedgerContractAbi,
  type LedgerContractName,
  ledgerContracts,
} from "./ledgerContracts.ts";
export type {
  AbiFunction,
  AbiFunctionArgs,
  AbiFunctionOf,
  AbiFunctionResult,
  AbiViewFunction,
  AbiWriteFunction,
  LedgerFunction,
  LedgerFunctions,
} from "./ledgerFunctions.ts";
export type { LedgerClientOptions } from "./ledgerHandle.ts";
export type { TransactionOptions, TransactionResult } from "./ledgerTransaction.ts";
export type { AbortDetails } from "./raceAbort.ts";
export { DEFAULT_ID_PAGE_SIZE, type IdPageOptions } from "./readIdPages.ts";
export { DEFAULT_EVENT_PAGE_SIZE, type EventPageOptions } from "./readLedgerEvents.ts";
export {
  type BatchChunk,
  type BatchEntry,
  type BatchOptions,
  type BatchProgress,
  type BatchResult,
  defaultBatchOptions,
  type FailedChunk,
  type LandedChunk,
  MAX_TRANSACTIONS_IN_FLIGHT,
  TRANSACTION_GAS_CAP,
} from "./runChunkedBatch.ts";
