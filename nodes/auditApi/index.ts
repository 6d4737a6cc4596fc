export type { AuditCaller, AuditRole, PatientCaller } from "./AuditCaller.ts";
export type { AuditChainStatus } from "./AuditChainStatus.ts";
export { AUDIT_PAGE_MAX } from "./auditApiSchemas.ts";
export {
  type AuditAuthContext,
  type AuditHttpRequest,
  authenticateAuditRequest,
} from "./authenticateAuditRequest.ts";
export {
  type AuditRead,
  type AuditReadInput,
  type AuditReadLog,
  type AuditReadLogDb,
  type AuditReadPage,
  createAuditReadLog,
} from "./createAuditReadLog.ts";
export { type AuditRoles, type AuditRolesOptions, createAuditRoles } from "./createAuditRoles.ts";
export {
  createNodeAuditApi,
  type NodeAuditApi,
  type NodeAuditApiOptions,
} from "./createNodeAuditApi.ts";
export { createNodeProofRpc } from "./createNodeProofRpc.ts";
export {
  createPatientConsent,
  type PatientConsent,
  type PatientConsentOptions,
  type WithdrawalReceipt,
} from "./createPatientConsent.ts";
export {
  type AuditSession,
  createSessionIssuer,
  type SessionIssuer,
  type SessionIssuerOptions,
  type SignedIn,
  type SignInChallenge,
} from "./createSessionIssuer.ts";
export {
  AUDIT_REQUEST_WINDOW_SECONDS,
  type AuditApiOptions,
  registerAuditApi,
} from "./registerAuditApi.ts";
export type { AuditProofSource } from "./registerAuditProofRoutes.ts";
