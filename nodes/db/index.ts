export {
  type BlockHashRule,
  type BlockHashRuleOptions,
  blockHashRuleName,
  HEADER_RLP_HASH_RULE,
  installBlockHashRule,
  installedBlockHashRule,
  PINNED_BLOCK_VERSION,
} from "./blockHashRule.ts";
export type {
  ChainDb,
  ChainDbHealth,
  CommitBlockInput,
  CommitOptions,
  LogIndexKind,
  TransactionLocation,
} from "./ChainDb.ts";
export {
  type ChainCheckOptions,
  type ChainCheckReport,
  type ChainPart,
  type ChainProblem,
  chainCorruptError,
  checkChain,
  checkHeadMarker,
} from "./checkChain.ts";
export { type ChainDbOptions, createChainDb, defaultChainDbOptions } from "./createChainDb.ts";
export { type FlatState, type FlatWrite, flatSlotValue } from "./createFlatState.ts";
export { createLevelTrieDb, type StateDb, type TrieDb } from "./createLevelTrieDb.ts";
export { createNodeCache, type NodeCache } from "./createNodeCache.ts";
export {
  createTrieUpdate,
  EMPTY_TRIE_ROOT,
  type TrieNodeWrite,
  type TrieUpdate,
  type TrieUpdateOptions,
} from "./createTrieUpdate.ts";
export { createWriteBackDb, type StateWrite, type WriteBackDb } from "./createWriteBackDb.ts";
export { decodeRlp, type RlpItem, type RlpSource, type RlpValue, rlpItemAt } from "./decodeRlp.ts";
export { encodeRlp, type RlpInput } from "./encodeRlp.ts";
export { flatStateOfTrie } from "./flatStateOfTrie.ts";
export {
  decodeHeadMarker,
  encodeHeadMarker,
  HEAD_MARKER_FILE,
  type HeadMarker,
  readHeadMarker,
  writeHeadMarker,
} from "./headMarker.ts";
export { installedPackageVersion } from "./installedPackageVersion.ts";
export {
  FLAT_HEAD_KEY,
  HASH_RULE_KEY,
  HEAD_KEY,
  type Keyspace,
  keyOf,
  keyspaces,
  readUint64,
  STATE_KEY,
  uint64Bytes,
} from "./keyspaces.ts";
export { liveStateKeys } from "./liveStateKeys.ts";
export { DATA_DIR_PID_FILE, type DataDirLock, lockDataDir } from "./lockDataDir.ts";
export {
  defaultLogQueryLimits,
  type IndexedLog,
  type LogFilter,
  type LogQueryLimits,
} from "./logFilter.ts";
export {
  type ChainLevelStorage,
  type OpenChainLevelOptions,
  openChainLevel,
} from "./openChainLevel.ts";
export { prepareDataDir } from "./prepareDataDir.ts";
export { readTrie, trieEntries } from "./readTrie.ts";
export { type ScannedLog, scanStoredLogs } from "./scanStoredLogs.ts";
export { type StateNodeLoader, stateNodeKey, stateNodeLoader } from "./stateNodeLoader.ts";
export { type StateProof, stateProof } from "./stateProof.ts";
export { errnoOf, storageError } from "./storageError.ts";
export { type Keccak, storedReceiptsRoot, storedTransactionsRoot } from "./storedBlockRoots.ts";
export {
  decodeStoredReceipts,
  encodeStoredReceipts,
  type LocatedReceipt,
  readStoredReceipt,
  type StoredReceipt,
} from "./storedReceipt.ts";
export { storedTrieNodes } from "./storedTrieNodes.ts";
export { type TrieProof, trieProof } from "./trieProof.ts";
