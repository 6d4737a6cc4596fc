import {
  type Block,
  type BlockBytes,
  type BlockHeader,
  createBlockFromBytesArray,
  createBlockHeaderFromRLP,
} from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { bytesToHex } from "@ethereumjs/util";
import { Level } from "level";
import { CustosError } from "../../src/errors/index.ts";
import { createFlatState, type FlatState, type FlatWrite, sameBlock } from "./createFlatState.ts";
import { createLevelTrieDb, type StateDb } from "./createLevelTrieDb.ts";
import type { StateWrite } from "./createWriteBackDb.ts";
import { decodeRlp } from "./decodeRlp.ts";
import { flatStateOfTrie } from "./flatStateOfTrie.ts";
import { HEAD_KEY, keyOf, keyspaces, readUint64, uint64Bytes } from "./keyspaces.ts";
import {
  defaultLogQueryLimits,
  type IndexedLog,
  type LogFilter,
  type LogQueryLimits,
} from "./logFilter.ts";
import { scanStoredLogs } from "./scanStoredLogs.ts";
import {
  decodeStoredReceipts,
  encodeStoredReceipts,
  type LocatedReceipt,
  readStoredReceipt,
  type StoredReceipt,
} from "./storedReceipt.ts";

/** Options of {@link createChainDb}. */
export interface ChainDbOptions {
  /** Directory of the level database (created if missing). */
  readonly location: string;
  /** Chain parameters used to decode stored blocks. */
  readonly common: Common;
  /** Flat-state records kept in memory (default {@link defaultChainDbOptions}). */
  readonly flatCacheEntries?: number;
}

/** Defaults of {@link ChainDbOptions}. */
export const defaultChainDbOptions = {
  /** ~40 MB: the accounts and slots of the last few blocks and the hot ones (members, roles). */
  flatCacheEntries: 200_000,
  /**
   * LevelDB tuning for a chain database. A block of 5,000 batch-granted consents writes
   * ~6 MB, most of it trie nodes under random (hash) keys; LevelDB's defaults (4 MB write
   * buffer, 2 MB tables, 8 MB block cache, snappy) flushed several level-0 tables per block and
   * spent the second core compacting them, and trie nodes and hashes do not compress.
   * bench:node batch grants, consents/s: 1,511–1,637 with the defaults at 290–390 k stored
   * consents, 2,040–2,174 with these at 390–460 k (docs/decisions/004-state-path.md, 18).
   */
  storage: {
    writeBufferSize: 64 * 2 ** 20,
    maxFileSize: 16 * 2 ** 20,
    cacheSize: 64 * 2 ** 20,
    compression: false,
  },
} as const;

/** What one committed block writes. */
export interface CommitBlockInput {
  readonly block: Block;
  readonly receipts: readonly StoredReceipt[];
  /** The block's state-trie writes, from the write-back layer. */
  readonly stateWrites: readonly StateWrite[];
  /**
   * The block's changes to the flat state. Stored (in the same batch) only when the flat
   * state holds the parent's state (or the database is empty, for genesis); otherwise the
   * flat state stays at its block and readers use the trie.
   */
  readonly flatWrites?: readonly FlatWrite[];
}

/** Where a transaction was included. */
export interface TransactionLocation {
  readonly blockHash: Uint8Array;
  readonly blockNumber: bigint;
  readonly index: number;
}

/** Which log index to scan. */
export type LogIndexKind = "address" | "topic";

/** The node's block, receipt, index and state storage. */
export interface ChainDb {
  /** Chain parameters blocks are decoded with. */
  readonly common: Common;
  /** The state keyspace as an EthereumJS trie DB (reads; writes go through commitBlock). */
  readonly trieDb: StateDb;
  /** The state of one block (normally the head) as flat records; see {@link FlatState}. */
  readonly flatState: FlatState;
  /** The latest committed block, or undefined for an empty database. */
  head(): Block | undefined;
  /** A block by hash, canonical or not. */
  blockByHash(hash: Uint8Array): Promise<Block | undefined>;
  /** A block header by hash (cheap: does not decode the transactions). */
  headerByHash(hash: Uint8Array): Promise<BlockHeader | undefined>;
  /** The canonical block at a height. */
  blockByNumber(number: bigint): Promise<Block | undefined>;
  /** The canonical block hash at a height. */
  canonicalHash(number: bigint): Promise<Uint8Array | undefined>;
  /** A block's receipts, in transaction order. */
  receipts(blockHash: Uint8Array): Promise<readonly StoredReceipt[] | undefined>;
  /** One receipt of a block, decoding only that one; undefined for an unknown block or index. */
  receipt(blockHash: Uint8Array, index: number): Promise<LocatedReceipt | undefined>;
  /** Where a transaction was included. */
  transactionLocation(txHash: Uint8Array): Promise<TransactionLocation | undefined>;
  /**
   * Block numbers in [from, to] holding at least one log of `key` (an address, or a topic
   * at any position), ascending, at most `limit` of them.
   */
  logBlocks(
    kind: LogIndexKind,
    key: Uint8Array,
    from: bigint,
    to: bigint,
    limit?: number,
  ): Promise<bigint[]>;
  /** Logs matching a filter, using the indexes; enforces the caps. */
  logs(filter: LogFilter, limits?: LogQueryLimits): Promise<IndexedLog[]>;
  /** Stores a block, its receipts, indexes, state writes and the new head in ONE batch. */
  commitBlock(input: CommitBlockInput): Promise<void>;
  /**
   * Rebuilds the flat state from the head's state trie (a database from before flat state,
   * or one whose flat state stopped at another block): until it is done, execution reads
   * the trie. Not atomic, but the flat head pointer is cleared first and set last.
   */
  rebuildFlatState(): Promise<void>;
  /** Closes the database. */
  close(): Promise<void>;
}

type BatchOp =
  | { readonly type: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: Uint8Array };

function corrupt(keyspace: string, key: Uint8Array, cause?: unknown): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", `stored ${keyspace} record cannot be decoded`, {
    details: { keyspace, key: bytesToHex(key) },
    cause,
  });
}

function uint32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

function hexKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

/** The log-index records of one block: per address and per topic, the number of logs. */
function logIndexOps(block: Block, receipts: readonly StoredReceipt[]): BatchOp[] {
  const addresses = new Map<string, { key: Uint8Array; count: number }>();
  const topics = new Map<string, { key: Uint8Array; count: number }>();
  const bump = (map: typeof addresses, key: Uint8Array, k: string) => {
    const entry = map.get(k);
    if (entry === undefined) map.set(k, { key, count: 1 });
    else entry.count++;
  };
  for (const receipt of receipts) {
    for (const [address, logTopics] of receipt.logs) {
      bump(addresses, address, hexKey(address));
      // A topic repeated within one log counts once for that log.
      const seen = new Set<string>();
      for (const topic of logTopics) {
        const k = hexKey(topic);
        if (seen.has(k)) continue;
        seen.add(k);
        bump(topics, topic, k);
      }
    }
  }
  const number = uint64Bytes(block.header.number);
  const ops: BatchOp[] = [];
  for (const { key, count } of addresses.values()) {
    ops.push({
      type: "put",
      key: keyOf(keyspaces.logByAddress, key, number),
      value: uint32Bytes(count),
    });
  }
  for (const { key, count } of topics.values()) {
    ops.push({
      type: "put",
      key: keyOf(keyspaces.logByTopic, key, number),
      value: uint32Bytes(count),
    });
  }
  return ops;
}

function union(lists: readonly bigint[][]): bigint[] {
  return [...new Set(lists.flat())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Opens (creating if needed) the chain database at `location` and loads the stored head, so
 * a restarted node resumes from its last committed block.
 *
 * Layout: fixed keyspaces (see `keyspaces`); a block is committed by ONE level batch
 * holding the block, receipts, tx index, log index, state-trie writes and the head pointer,
 * so a crash leaves the old or the new head, never a mix.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the head pointer names a missing block.
 * @example
 * ```ts
 * const db = await createChainDb({ location: "./data/chain", common });
 * const head = db.head();
 * ```
 */
export async function createChainDb(options: ChainDbOptions): Promise<ChainDb> {
  const { common } = options;
  const level = new Level<Uint8Array, Uint8Array>(options.location, {
    keyEncoding: "view",
    valueEncoding: "view",
    ...defaultChainDbOptions.storage,
  });
  await level.open();
  const trieDb = createLevelTrieDb(level);
  const flatState = await createFlatState(
    level,
    options.flatCacheEntries ?? defaultChainDbOptions.flatCacheEntries,
  );

  async function blockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const key = keyOf(keyspaces.block, hash);
    const bytes = await level.get(key);
    if (bytes === undefined) return undefined;
    try {
      const decoded = decodeRlp(bytes, { keyspace: "block", key: bytesToHex(key) });
      return createBlockFromBytesArray(decoded as BlockBytes, {
        common,
        setHardfork: false,
      });
    } catch (cause) {
      throw corrupt("block", key, cause);
    }
  }

  async function headerByHash(hash: Uint8Array): Promise<BlockHeader | undefined> {
    const key = keyOf(keyspaces.header, hash);
    const bytes = await level.get(key);
    if (bytes === undefined) return undefined;
    try {
      return createBlockHeaderFromRLP(bytes, { common, setHardfork: false });
    } catch (cause) {
      throw corrupt("header", key, cause);
    }
  }

  let head: Block | undefined;
  const headHash = await level.get(HEAD_KEY);
  if (headHash !== undefined) {
    head = await blockByHash(headHash);
    if (head === undefined) throw corrupt("meta", HEAD_KEY);
  }

  async function canonicalHash(number: bigint): Promise<Uint8Array | undefined> {
    if (number < 0n) return undefined;
    return level.get(keyOf(keyspaces.canonical, uint64Bytes(number)));
  }

  async function receipts(blockHash: Uint8Array): Promise<StoredReceipt[] | undefined> {
    const key = keyOf(keyspaces.receipts, blockHash);
    const bytes = await level.get(key);
    return bytes === undefined ? undefined : decodeStoredReceipts(bytes, bytesToHex(key));
  }

  async function receipt(
    blockHash: Uint8Array,
    index: number,
  ): Promise<LocatedReceipt | undefined> {
    const key = keyOf(keyspaces.receipts, blockHash);
    const bytes = await level.get(key);
    return bytes === undefined ? undefined : readStoredReceipt(bytes, bytesToHex(key), index);
  }

  async function logBlocks(
    kind: LogIndexKind,
    key: Uint8Array,
    from: bigint,
    to: bigint,
    limit = -1,
  ): Promise<bigint[]> {
    if (to < from) return [];
    const space = kind === "address" ? keyspaces.logByAddress : keyspaces.logByTopic;
    const keys = await level
      .keys({
        gte: keyOf(space, key, uint64Bytes(from)),
        lte: keyOf(space, key, uint64Bytes(to)),
        limit,
      })
      .all();
    return keys.map((k) => readUint64(k, k.length - 8));
  }

  async function candidateBlocks(filter: LogFilter, limit: number): Promise<bigint[] | undefined> {
    const sets: bigint[][] = [];
    const { fromBlock: from, toBlock: to } = filter;
    if (filter.addresses.length > 0) {
      sets.push(
        union(
          await Promise.all(filter.addresses.map((a) => logBlocks("address", a, from, to, limit))),
        ),
      );
    }
    for (const position of filter.topics) {
      if (position === null) continue;
      const values = position instanceof Uint8Array ? [position] : position;
      if (values.length === 0) continue;
      sets.push(
        union(await Promise.all(values.map((t) => logBlocks("topic", t, from, to, limit)))),
      );
    }
    if (sets.length === 0) return undefined;
    sets.sort((a, b) => a.length - b.length);
    const [smallest, ...rest] = sets as [bigint[], ...bigint[][]];
    const others = rest.map((s) => new Set(s));
    return smallest.filter((n) => others.every((s) => s.has(n)));
  }

  async function logs(
    filter: LogFilter,
    limits: LogQueryLimits = defaultLogQueryLimits,
  ): Promise<IndexedLog[]> {
    const span = filter.toBlock - filter.fromBlock + 1n;
    if (span > BigInt(limits.maxBlockRange)) {
      throw new CustosError(
        "LOG_QUERY_TOO_LARGE",
        `the query spans ${span} blocks, more than the limit of ${limits.maxBlockRange}`,
        { details: { cap: "maxBlockRange", limit: limits.maxBlockRange } },
      );
    }
    if (span <= 0n) return [];
    // No address or topic to look up: every block of the (capped) range is a candidate.
    let candidates = await candidateBlocks(filter, limits.maxResults + 1);
    if (candidates === undefined) {
      candidates = [];
      for (let n = filter.fromBlock; n <= filter.toBlock; n++) candidates.push(n);
    }
    const result: IndexedLog[] = [];
    const hashes = await level.getMany(
      candidates.map((n) => keyOf(keyspaces.canonical, uint64Bytes(n))),
    );
    for (let i = 0; i < candidates.length; i++) {
      const blockHash = hashes[i];
      const blockNumber = candidates[i] as bigint;
      if (blockHash === undefined) continue;
      const key = keyOf(keyspaces.receipts, blockHash);
      const bytes = await level.get(key);
      if (bytes === undefined) continue;
      for (const log of scanStoredLogs(bytes, bytesToHex(key), filter)) {
        if (result.length === limits.maxResults) {
          throw new CustosError(
            "LOG_QUERY_TOO_LARGE",
            `the query matches more than ${limits.maxResults} logs`,
            { details: { cap: "maxResults", limit: limits.maxResults } },
          );
        }
        result.push({ ...log, blockNumber, blockHash, removed: false });
      }
    }
    return result;
  }

  return {
    common,
    trieDb,
    flatState,
    head: () => head,
    blockByHash,
    headerByHash,
    async blockByNumber(number) {
      const hash = await canonicalHash(number);
      return hash === undefined ? undefined : blockByHash(hash);
    },
    canonicalHash,
    receipts,
    receipt,
    async transactionLocation(txHash) {
      const key = keyOf(keyspaces.txIndex, txHash);
      const value = await level.get(key);
      if (value === undefined) return undefined;
      if (value.length !== 44) throw corrupt("txIndex", key);
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      return {
        blockHash: value.slice(0, 32),
        blockNumber: view.getBigUint64(32),
        index: view.getUint32(40),
      };
    },
    logBlocks,
    logs,
    async commitBlock({ block, receipts: blockReceipts, stateWrites, flatWrites }) {
      const hash = block.hash();
      const number = uint64Bytes(block.header.number);
      const ops: BatchOp[] = [];
      for (const write of stateWrites) {
        ops.push({ type: "put", key: keyOf(keyspaces.state, write.key), value: write.value });
      }
      ops.push({
        type: "put",
        key: keyOf(keyspaces.header, hash),
        value: block.header.serialize(),
      });
      ops.push({ type: "put", key: keyOf(keyspaces.block, hash), value: block.serialize() });
      ops.push({ type: "put", key: keyOf(keyspaces.canonical, number), value: hash });
      ops.push({
        type: "put",
        key: keyOf(keyspaces.receipts, hash),
        value: encodeStoredReceipts(blockReceipts),
      });
      block.transactions.forEach((tx, index) => {
        const value = new Uint8Array(44);
        value.set(hash, 0);
        value.set(number, 32);
        value.set(uint32Bytes(index), 40);
        ops.push({ type: "put", key: keyOf(keyspaces.txIndex, tx.hash()), value });
      });
      // Loops, not spreads: a bulk block's ops exceed the engine's argument-count limit.
      for (const op of logIndexOps(block, blockReceipts)) ops.push(op);
      ops.push({ type: "put", key: HEAD_KEY, value: hash });
      const extendsFlat =
        flatWrites !== undefined &&
        (sameBlock(flatState.blockHash, block.header.parentHash) ||
          (head === undefined && flatState.blockHash === undefined));
      if (extendsFlat) {
        for (const op of flatState.ops(flatWrites, hash)) ops.push(op);
        flatState.changing();
      }
      try {
        await level.batch(ops);
      } catch (cause) {
        throw new CustosError(
          "CHAIN_DB_COMMIT_FAILED",
          `block ${block.header.number} was not committed`,
          {
            details: { blockNumber: block.header.number.toString(), blockHash: bytesToHex(hash) },
            cause,
          },
        );
      }
      if (extendsFlat) flatState.changed(flatWrites, hash);
      head = block;
    },
    async rebuildFlatState() {
      if (head === undefined) return;
      const load = (hash: Uint8Array) =>
        trieDb.getSync(Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString("hex"));
      await flatState.rebuild(flatStateOfTrie(head.header.stateRoot, load), head.hash());
    },
    async close() {
      await level.close();
    },
  };
}
