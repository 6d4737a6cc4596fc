export {
  type AuditBlockRange,
  type AuditIndexStatus,
  type AuditPage,
  type AuditPageRequest,
  type AuditReader,
  DEFAULT_AUDIT_PAGE_SIZE,
  MAX_AUDIT_PAGE_SIZE,
  MAX_AUDIT_SCAN,
  type QueryListFilter,
  type QueryTrail,
} from "./AuditReader.ts";
export {
  type AuditBlock,
  type AuditLevel,
  type AuditPut,
  auditBlockBatch,
} from "./auditBlockBatch.ts";
export {
  type AuditCursorKind,
  auditPageLimit,
  decodeAuditCursor,
  encodeAuditCursor,
} from "./auditCursor.ts";
export { type AuditHead, decodeAuditHead, encodeAuditHead } from "./auditHead.ts";
export {
  AUDIT_HEAD_KEY,
  AUDIT_INDEX_VERSION,
  AUDIT_VERSION_KEY,
  type AuditKeyspace,
  auditKey,
  auditKeyspaces,
} from "./auditKeyspaces.ts";
export {
  type AuditFollower,
  type AuditFollowerPorts,
  createAuditFollower,
} from "./createAuditFollower.ts";
export { createAuditIndexReader } from "./createAuditIndexReader.ts";
export { type AuditIndex, type AuditIndexOptions, openAuditIndex } from "./openAuditIndex.ts";
export { type AuditChainSource, readAuditBlock } from "./readAuditBlock.ts";
export {
  AUDIT_DIRECTORY,
  type NodeAudit,
  type StartAuditIndexOptions,
  type StartAuditIndexPorts,
  startAuditIndex,
} from "./startAuditIndex.ts";
