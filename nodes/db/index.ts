export {
  type ChainDb,
  type ChainDbOptions,
  type CommitBlockInput,
  createChainDb,
  type LogIndexKind,
  type TransactionLocation,
} from "./createChainDb.ts";
export { createLevelTrieDb, type TrieDb } from "./createLevelTrieDb.ts";
export { createNodeCache, type NodeCache } from "./createNodeCache.ts";
export {
  createTrieUpdate,
  EMPTY_TRIE_ROOT,
  resolveNode,
  type TrieNodeWrite,
  type TrieUpdate,
  type TrieUpdateOptions,
} from "./createTrieUpdate.ts";
export { createWriteBackDb, type StateWrite, type WriteBackDb } from "./createWriteBackDb.ts";
export { HEAD_KEY, type Keyspace, keyOf, keyspaces, readUint64, uint64Bytes } from "./keyspaces.ts";
export {
  defaultLogQueryLimits,
  type IndexedLog,
  type LogFilter,
  type LogQueryLimits,
} from "./logFilter.ts";
export { readTrie, walkTrie } from "./readTrie.ts";
export { decodeStoredReceipts, encodeStoredReceipts, type StoredReceipt } from "./storedReceipt.ts";
