import {
  type Block,
  type BlockBytes,
  type BlockHeader,
  createBlockFromBytesArray,
  createBlockHeaderFromRLP,
} from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import { blockHashRuleName, HEADER_RLP_HASH_RULE } from "./blockHashRule.ts";
import type { BlockRef, ChainDb, LogIndexKind } from "./ChainDb.ts";
import { type ChainProblem, chainCorruptError, checkChain, checkHeadMarker } from "./checkChain.ts";
import { createFlatState, sameBlock } from "./createFlatState.ts";
import { createLevelTrieDb } from "./createLevelTrieDb.ts";
import { createStateLayer } from "./createStateLayer.ts";
import { decodeRlp } from "./decodeRlp.ts";
import { type JournalRecord, readJournalRecord } from "./droppedStateJournal.ts";
import { flatStateOfTrie } from "./flatStateOfTrie.ts";
import { type HeadMarker, readHeadMarker, writeHeadMarker } from "./headMarker.ts";
import {
  HASH_RULE_KEY,
  HEAD_KEY,
  keyOf,
  keyspaces,
  readUint64,
  STATE_KEY,
  uint64Bytes,
} from "./keyspaces.ts";
import {
  defaultLogQueryLimits,
  type IndexedLog,
  type LogFilter,
  type LogQueryLimits,
} from "./logFilter.ts";
import { openChainLevel } from "./openChainLevel.ts";
import { scanStoredLogs } from "./scanStoredLogs.ts";
import { stateNodeLoader } from "./stateNodeLoader.ts";
import { storageError } from "./storageError.ts";
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
  /**
   * Make every commit durable (LevelDB `sync`: the write-ahead log is fsynced) before it
   * resolves; default true. Off only for a database that is rebuilt from scratch when lost
   * (a reindex being built), which calls {@link ChainDb.sync} once at the end.
   */
  readonly syncWrites?: boolean;
  /**
   * Path of the head marker ({@link HeadMarker}), kept beside the database. When set, opening
   * refuses a database that is empty, shorter than the marker or holds another block at the
   * marker's height, checks the recent blocks ({@link defaultChainDbOptions.checkBlocks} and
   * every block that may still be in the write-ahead log) with {@link checkChain}, and every
   * commit then rewrites the marker durably.
   */
  readonly headMarker?: string;
  /**
   * What opening does with a database that lost blocks at its tip — missing, empty or
   * ending below the head marker, with nothing damaged in what it holds: `refuse` (default)
   * throws `CHAIN_DB_CORRUPT`; `recover` opens it and keeps the marker as the target
   * ({@link ChainDbHealth.recovering}) while the blocks are synced again from peers: the
   * marker is not moved until a commit reaches the marker's height, and a block there with
   * another hash is damage (`CHAIN_DB_CORRUPT`, a fault). A node on a network recovers; a
   * single node has nowhere to recover from.
   */
  readonly shortChain?: "refuse" | "recover";
  /** Blocks below the head always checked at open when a marker is set. */
  readonly checkBlocks?: number;
  /** Create the database when the directory is missing or empty (default true). */
  readonly create?: boolean;
  /** Stops the open-time check with `NODE_ABORTED`. */
  readonly signal?: AbortSignal;
  /**
   * Told about every fault: damage found while serving, a failed commit, a marker that could
   * not be written (see {@link ChainDb.health}).
   */
  readonly onFault?: (error: CustosError) => void;
  /**
   * Persist the state after this many blocks held in memory (default
   * {@link defaultChainDbOptions}); a restart after a crash re-executes at most this many.
   */
  readonly statePersistBlocks?: number;
  /** Persist the state once the changes held in memory reach this many bytes. */
  readonly statePersistBytes?: number;
  /**
   * The state of this many blocks below the head stays readable (at least 1): a node a
   * block no longer uses is deleted only that many blocks later (sooner when the held
   * state reaches `statePersistBytes`).
   */
  readonly stateRetainBlocks?: number;
  /**
   * Open for the blocks only (a reindex's source): a database whose state was stored under
   * an earlier layout opens, and its state is not to be read.
   */
  readonly blocksOnly?: boolean;
}

/** Defaults of {@link ChainDbOptions}. */
export const defaultChainDbOptions = {
  /** ~40 MB: the accounts and slots of the last few blocks and the hot ones (members, roles). */
  flatCacheEntries: 200_000,
  /**
   * LevelDB tuning for a chain database. A block of 5,000 batch-granted consents writes
   * ~6 MB, most of it trie nodes under random (hash) keys; LevelDB's defaults (4 MB write
   * buffer, 2 MB tables, 8 MB block cache, snappy) flushed several level-0 tables per block and
   * spent the second core compacting them.
   * bench:node batch grants, consents/s: 1,511–1,637 with the defaults at 290–390 k stored
   * consents, 2,040–2,174 with these at 390–460 k (docs/decisions/004-state-path.md, 18).
   * Snappy is on again since the state is pruned (decision 015, point 8): receipts and blocks
   * repeat the same address, topics and terms across a batch, and halve; the CPU did not grow.
   */
  storage: {
    writeBufferSize: 64 * 2 ** 20,
    maxFileSize: 16 * 2 ** 20,
    cacheSize: 64 * 2 ** 20,
    compression: true,
  },
  syncWrites: true,
  /**
   * The state-trie nodes a block writes are mostly superseded within a few blocks (every
   * trie's top levels on each block); held in memory for 64 blocks, only the survivors reach
   * the disk, and a crash costs at most 64 blocks re-executed at start
   * (docs/decisions/015-state-persistence.md).
   */
  statePersistBlocks: 64,
  /** Held changes above this are persisted early (~1 GiB of heap at most, with overheads). */
  statePersistBytes: 512 * 2 ** 20,
  /** As geth: the state of the last 128 blocks can be read (eth_call, eth_getProof). */
  stateRetainBlocks: 128,
  /**
   * Besides every block that may still be only in the write-ahead log, the start-up check
   * covers at least this many blocks below the head (~10 ms for small blocks).
   */
  checkBlocks: 64,
} as const;

type BatchOp =
  | { readonly type: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: Uint8Array };

function blockRefBytes(ref: BlockRef): Uint8Array {
  const bytes = new Uint8Array(40);
  bytes.set(uint64Bytes(ref.number), 0);
  bytes.set(ref.hash, 8);
  return bytes;
}

function corrupt(keyspace: string, key: Uint8Array, cause?: unknown): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", `stored ${keyspace} record cannot be decoded`, {
    details: { keyspace, key: bytesToHex(key) },
    cause,
  });
}

/**
 * The error for a database written under another block-hash rule than this process hashes
 * by: its keys and parent links are other hashes, so none of its blocks can be found or
 * extended as they are.
 */
function incompatible(location: string, stored: string, expected: string): CustosError {
  const fix =
    stored === HEADER_RLP_HASH_RULE
      ? "it was written by a Custos version before QBFT block hashes and cannot be migrated: start the node with a new data directory"
      : "this process hashes blocks by another rule (a wiring point did not install it)";
  return new CustosError(
    "CHAIN_DB_INCOMPATIBLE",
    `the chain database ${location} was written under block-hash rule "${stored}", not "${expected}": ${fix}`,
    { details: { location, stored, expected } },
  );
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
 * With a `headMarker`, the database is checked against the marker and its recent blocks
 * before it is handed out (see {@link ChainDbOptions.headMarker}); while it serves, a read
 * that meets a hole below the head or a record that does not decode is reported as damage:
 * `health()` carries it, later commits are refused.
 *
 * The database records the block-hash rule it is written under (see `installBlockHashRule`:
 * the rule installed in this thread when it applies to `common`, else EthereumJS's own) with
 * every block, and refuses to open under another: its blocks would not be found by their
 * hashes, and new blocks would link to old ones by hashes of another kind.
 *
 * @throws CustosError `CHAIN_DB_INCOMPATIBLE` when the database was written under another
 *   block-hash rule (by a version before QBFT block hashes: details name both rules);
 *   `CHAIN_DB_CORRUPT` naming the block and part (or the file) that is
 *   missing or damaged; `NODE_START_FAILED` when the directory is in use by another process
 *   or cannot be used (see `openChainLevel`); `NODE_ABORTED` when `signal` fires during the
 *   check.
 * @example
 * ```ts
 * const db = await createChainDb({ location: "./data/chain", common, headMarker: "./data/chain-head.json" });
 * const head = db.head();
 * ```
 */
export async function createChainDb(options: ChainDbOptions): Promise<ChainDb> {
  const { common } = options;
  const markerPath = options.headMarker;
  const recover = options.shortChain === "recover";
  const syncWrites = options.syncWrites ?? defaultChainDbOptions.syncWrites;
  const marker: HeadMarker | undefined =
    markerPath === undefined ? undefined : await readHeadMarker(markerPath);
  let level: Awaited<ReturnType<typeof openChainLevel>>;
  try {
    level = await openChainLevel(options.location, {
      storage: defaultChainDbOptions.storage,
      create: (options.create ?? true) && (marker === undefined || recover),
    });
  } catch (error) {
    if (marker !== undefined && isCustosError(error, "NODE_START_FAILED")) {
      if (error.details.reason === "no database") {
        throw chainCorruptError([checkHeadMarker(undefined, undefined, marker) as ChainProblem]);
      }
    }
    throw error;
  }
  // Drops journaled before the last persist: deleted at the first persist after this open.
  const journal: JournalRecord[] = [];
  try {
    if (options.blocksOnly !== true) {
      for await (const [key, value] of level.iterator({
        gt: Uint8Array.of(keyspaces.droppedState),
        lt: Uint8Array.of(keyspaces.droppedState + 1),
      })) {
        journal.push(readJournalRecord(key, value));
      }
    }
  } catch (error) {
    await level.close();
    throw isCustosError(error) ? error : storageError(options.location, error, "cannot read");
  }
  const layer = createStateLayer({
    journal,
    retainBlocks: Math.max(1, options.stateRetainBlocks ?? defaultChainDbOptions.stateRetainBlocks),
    retainBytes: options.statePersistBytes ?? defaultChainDbOptions.statePersistBytes,
  });
  const trieDb = createLevelTrieDb(level, layer);
  const persistBlocks = options.statePersistBlocks ?? defaultChainDbOptions.statePersistBlocks;
  const persistBytes = options.statePersistBytes ?? defaultChainDbOptions.statePersistBytes;
  let flatState: Awaited<ReturnType<typeof createFlatState>>;
  try {
    flatState = await createFlatState(
      level,
      options.flatCacheEntries ?? defaultChainDbOptions.flatCacheEntries,
    );
  } catch (error) {
    await level.close();
    throw error;
  }

  let checkFailures = 0;
  let damage: CustosError | undefined;
  let commitFault: CustosError | undefined;
  let markerFault: CustosError | undefined;
  let recovering: HeadMarker | undefined;
  const fault = (error: CustosError) => options.onFault?.(error);
  const recorded = new WeakSet<CustosError>();
  /** Records damage found while serving (each error once) and returns the error. */
  function damaged(error: CustosError): CustosError {
    if (recorded.has(error)) return error;
    recorded.add(error);
    checkFailures++;
    damage ??= error;
    fault(error);
    return error;
  }
  /** Runs a read; a `CHAIN_DB_CORRUPT` it throws is recorded as damage. */
  async function noting<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isCustosError(error, "CHAIN_DB_CORRUPT")) throw damaged(error);
      throw error;
    }
  }
  const hole = (number: bigint, part: ChainProblem["part"], hash?: Uint8Array) =>
    damaged(
      chainCorruptError([
        {
          blockNumber: number,
          ...(hash === undefined ? {} : { blockHash: hash }),
          part,
          reason: "missing",
        },
      ]),
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

  /** The number of the block the head pointer names but whose body is gone. */
  async function lostHeadNumber(headHash: Uint8Array): Promise<bigint> {
    const header = await headerByHash(headHash).catch(() => undefined);
    if (header !== undefined) return header.number;
    const [last] = await level
      .iterator({
        gte: keyOf(keyspaces.canonical),
        lt: Uint8Array.of(keyspaces.canonical + 1),
        reverse: true,
        limit: 1,
      })
      .all();
    if (last === undefined) return 0n;
    const number = readUint64(last[0], 1);
    return sameBlock(last[1], headHash) ? number : number + 1n;
  }

  const hashRule = blockHashRuleName(common);
  const hashRuleBytes = new TextEncoder().encode(hashRule);
  let head: Block | undefined;
  let stateBlock: BlockRef | undefined;
  let stateProblem: ChainProblem | undefined;
  try {
    const headHash = await level.get(HEAD_KEY);
    if (headHash !== undefined) {
      // Before any block is read: under another rule no block would be found by its hash.
      const stored = await level.get(HASH_RULE_KEY);
      const storedRule =
        stored === undefined ? HEADER_RLP_HASH_RULE : new TextDecoder().decode(stored);
      if (storedRule !== hashRule) throw incompatible(options.location, storedRule, hashRule);
      head = await blockByHash(headHash);
      if (head === undefined) {
        throw chainCorruptError([
          {
            blockNumber: await lostHeadNumber(headHash),
            blockHash: headHash,
            part: "body",
            reason: "missing (the head pointer names it)",
          },
        ]);
      }
      const state = await level.get(STATE_KEY);
      if (state !== undefined && state.length === 40) {
        stateBlock = { number: readUint64(state, 0), hash: state.slice(8) };
        if (stateBlock.number > head.header.number) {
          // Written in the same batches, the head cannot fall behind the persisted state
          // unless records were lost or rewritten: the head's state is then not stored.
          // Reported after the marker's check, which names a lost tip better.
          stateProblem = {
            blockNumber: stateBlock.number,
            blockHash: stateBlock.hash,
            part: "state",
            reason: `the state is persisted at block ${stateBlock.number}, beyond the head ${head.header.number}`,
          };
        }
      } else if (state !== undefined) {
        throw corrupt("meta", STATE_KEY);
      } else if (options.blocksOnly !== true) {
        throw new CustosError(
          "CHAIN_DB_REINDEX_REQUIRED",
          "the chain database stores its state under the layout before state pruning; run the node once with --reindex to rebuild it from its blocks",
          { details: { directory: options.location } },
        );
      }
    }
  } catch (error) {
    await level.close();
    throw error;
  }
  let stateHead: BlockRef | undefined = stateBlock;
  /** The ops that persist the held state as the state of `at`. */
  const persistOps = (at: BlockRef): BatchOp[] => {
    const ops: BatchOp[] = layer.ops();
    ops.push({ type: "put", key: STATE_KEY, value: blockRefBytes(at) });
    return ops;
  };
  const belowHead = (number: bigint) =>
    head !== undefined && number >= 0n && number <= head.header.number;

  async function canonicalHash(number: bigint): Promise<Uint8Array | undefined> {
    if (number < 0n) return undefined;
    const hash = await level.get(keyOf(keyspaces.canonical, uint64Bytes(number)));
    if (hash === undefined && belowHead(number)) throw hole(number, "canonical");
    return hash;
  }

  /** Receipts are missing only if the block is there; an unknown block has none. */
  async function missingReceipts(blockHash: Uint8Array): Promise<undefined> {
    const header = await level.get(keyOf(keyspaces.header, blockHash));
    if (header === undefined) return undefined;
    const number = createBlockHeaderFromRLP(header, { common, setHardfork: false }).number;
    throw hole(number, "receipts", blockHash);
  }

  async function receipts(blockHash: Uint8Array): Promise<StoredReceipt[] | undefined> {
    const key = keyOf(keyspaces.receipts, blockHash);
    const bytes = await level.get(key);
    return bytes === undefined
      ? missingReceipts(blockHash)
      : decodeStoredReceipts(bytes, bytesToHex(key));
  }

  async function receipt(
    blockHash: Uint8Array,
    index: number,
  ): Promise<LocatedReceipt | undefined> {
    const key = keyOf(keyspaces.receipts, blockHash);
    const bytes = await level.get(key);
    return bytes === undefined
      ? missingReceipts(blockHash)
      : readStoredReceipt(bytes, bytesToHex(key), index);
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
      if (blockHash === undefined) {
        if (belowHead(blockNumber)) throw hole(blockNumber, "canonical");
        continue;
      }
      const key = keyOf(keyspaces.receipts, blockHash);
      const bytes = await level.get(key);
      if (bytes === undefined) throw hole(blockNumber, "receipts", blockHash);
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

  // The oldest blocks whose records may still be only in the write-ahead log: LevelDB keeps
  // at most two write buffers (the live one and one being written to a table) in logs, and
  // moves every log to a table when it opens; blocks of this session are counted by the
  // bytes they wrote until two write buffers' worth of newer blocks follow them.
  const logBytes = 2 * defaultChainDbOptions.storage.writeBufferSize;
  const recent: { number: bigint; bytes: number }[] = [];
  let recentBytes = 0;
  const openedLogFrom = head === undefined ? 0n : head.header.number + 1n;
  /** The marker's `logFrom` as of the last commit. */
  let logFrom = openedLogFrom;
  function logFromAfter(number: bigint, bytes: number): bigint {
    recent.push({ number, bytes });
    recentBytes += bytes;
    while (recent.length > 1 && recentBytes - (recent[0] as { bytes: number }).bytes >= logBytes) {
      recentBytes -= (recent.shift() as { bytes: number }).bytes;
    }
    const oldest = (recent[0] as { number: bigint }).number;
    return oldest > openedLogFrom ? oldest : openedLogFrom;
  }

  async function writeMarker(block: Block, logFrom: bigint): Promise<void> {
    if (markerPath === undefined) return;
    if (recovering !== undefined) {
      // The marker is the only record of the head lost: it moves only once that is back.
      const number = block.header.number;
      if (number < recovering.number) return;
      if (number === recovering.number && !equalsBytes(block.hash(), recovering.hash)) {
        damage = chainCorruptError([
          {
            blockNumber: number,
            blockHash: recovering.hash,
            part: "head",
            reason: `block ${number} synced again is ${bytesToHex(block.hash())}, not the ${bytesToHex(recovering.hash)} the head marker names`,
          },
        ]);
        fault(damage);
        return;
      }
      recovering = undefined;
    }
    try {
      await writeHeadMarker(markerPath, {
        number: block.header.number,
        hash: block.hash(),
        logFrom,
      });
      markerFault = undefined;
    } catch (cause) {
      markerFault = new CustosError(
        "CHAIN_DB_COMMIT_FAILED",
        `block ${block.header.number} is committed but the head marker ${markerPath} was not updated`,
        {
          details: {
            blockNumber: block.header.number.toString(),
            blockHash: bytesToHex(block.hash()),
            file: markerPath,
          },
          cause,
        },
      );
      fault(markerFault);
    }
  }

  /** Whether held state may be persisted now: some is held, and nothing is damaged. */
  const persistable = () =>
    layer.dirty && stateHead !== undefined && damage === undefined && commitFault === undefined;
  const persistedAt = (at: BlockRef) => {
    layer.persisted();
    stateBlock = at;
  };

  const chainDb: ChainDb = {
    common,
    trieDb,
    flatState,
    head: () => head,
    blockByHash: (hash) => noting(() => blockByHash(hash)),
    headerByHash: (hash) => noting(() => headerByHash(hash)),
    blockByNumber: (number) =>
      noting(async () => {
        const hash = await canonicalHash(number);
        if (hash === undefined) return undefined;
        const block = await blockByHash(hash);
        if (block === undefined && belowHead(number)) throw hole(number, "body", hash);
        return block;
      }),
    canonicalHash: (number) => noting(() => canonicalHash(number)),
    receipts: (blockHash) => noting(() => receipts(blockHash)),
    receipt: (blockHash, index) => noting(() => receipt(blockHash, index)),
    transactionLocation: (txHash) =>
      noting(async () => {
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
      }),
    logBlocks,
    logs: (filter, limits) => noting(() => logs(filter, limits)),
    stateBlock: () => stateBlock,
    stateHead: () => stateHead,
    restoreState({ block, stateWrites, stateDeletes }) {
      if (stateHead === undefined || !sameBlock(stateHead.hash, block.header.parentHash)) {
        throw new CustosError(
          "INTERNAL",
          `the state of block ${block.header.number} cannot be restored: its parent's is not the state held`,
          { details: { blockNumber: block.header.number.toString() } },
        );
      }
      layer.apply(block.header.number, stateWrites, stateDeletes ?? []);
      stateHead = { number: block.header.number, hash: block.hash() };
    },
    async commitBlock(
      { block, receipts: blockReceipts, stateWrites, stateDeletes, flatWrites },
      commit = {},
    ) {
      const durable = commit.durable ?? true;
      if (damage !== undefined) {
        throw new CustosError(
          "CHAIN_DB_CORRUPT",
          `block ${block.header.number} was not committed: the database is damaged (${damage.shortMessage})`,
          {
            details: { ...damage.details, refused: block.header.number.toString() },
            cause: damage,
          },
        );
      }
      if (commitFault !== undefined) {
        throw new CustosError(
          "CHAIN_DB_COMMIT_FAILED",
          `block ${block.header.number} was not committed: an earlier commit failed; restart the node once the cause is fixed`,
          {
            details: {
              blockNumber: block.header.number.toString(),
              blockHash: bytesToHex(block.hash()),
            },
            cause: commitFault,
          },
        );
      }
      if (blockHashRuleName(common) !== hashRule) {
        throw new CustosError(
          "INTERNAL",
          `block ${block.header.number} was not committed: the block-hash rule changed since the database was opened`,
          { details: { opened: hashRule, now: blockHashRuleName(common) } },
        );
      }
      const hash = block.hash();
      if (
        head !== undefined &&
        (stateHead === undefined || !sameBlock(stateHead.hash, block.header.parentHash))
      ) {
        throw new CustosError(
          "INTERNAL",
          `block ${block.header.number} was not committed: the state held is not its parent's (restore the state first)`,
          { details: { blockNumber: block.header.number.toString() } },
        );
      }
      const number = uint64Bytes(block.header.number);
      const ref: BlockRef = { number: block.header.number, hash };
      // Taken before the batch: should the batch fail, the block's drops are retained (not
      // deleted) and its writes unreachable from the head, so the head's state still reads.
      layer.apply(block.header.number, stateWrites, stateDeletes ?? []);
      const persist =
        stateBlock === undefined || layer.blocks >= persistBlocks || layer.bytes >= persistBytes;
      const ops: BatchOp[] = persist ? persistOps(ref) : [];
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
      // With every block, beside the head pointer: damage that drops older batches (a torn
      // write-ahead log) then never makes a damaged database look like one of another rule.
      ops.push({ type: "put", key: HASH_RULE_KEY, value: hashRuleBytes });
      const extendsFlat =
        flatWrites !== undefined &&
        (sameBlock(flatState.blockHash, block.header.parentHash) ||
          (head === undefined && flatState.blockHash === undefined));
      if (extendsFlat) {
        for (const op of flatState.ops(flatWrites, hash)) ops.push(op);
        flatState.changing();
      }
      try {
        await level.batch(ops, { sync: syncWrites && durable });
      } catch (cause) {
        commitFault = new CustosError(
          "CHAIN_DB_COMMIT_FAILED",
          `block ${block.header.number} was not committed`,
          {
            details: { blockNumber: block.header.number.toString(), blockHash: bytesToHex(hash) },
            cause,
          },
        );
        fault(commitFault);
        throw commitFault;
      }
      if (extendsFlat) flatState.changed(flatWrites, hash);
      head = block;
      stateHead = ref;
      if (persist) persistedAt(ref);
      let bytes = 0;
      for (const op of ops) bytes += op.key.length + (op.type === "put" ? op.value.length : 0);
      logFrom = logFromAfter(block.header.number, bytes);
      if (durable) await writeMarker(block, logFrom);
    },
    readRaw: (keys) => (keys.length === 0 ? Promise.resolve([]) : level.getMany([...keys])),
    health: () => {
      const current = damage ?? commitFault ?? markerFault;
      return {
        checkFailures,
        ...(current === undefined ? {} : { fault: current }),
        ...(recovering === undefined ? {} : { recovering }),
      };
    },
    async sync() {
      if (head === undefined) return;
      const ops = persistable() ? persistOps(stateHead as BlockRef) : [];
      ops.push({ type: "put", key: HEAD_KEY, value: head.hash() });
      await level.batch(ops, { sync: true });
      if (ops.length > 1) persistedAt(stateHead as BlockRef);
      await writeMarker(head, logFrom);
    },
    async rebuildFlatState() {
      if (head === undefined) return;
      const load = stateNodeLoader((key) => trieDb.getSync(key));
      await flatState.rebuild(flatStateOfTrie(head.header.stateRoot, load), head.hash());
    },
    async close() {
      // A clean stop persists what is held, so the next start re-executes nothing, and
      // deletes what only the recent blocks' states used.
      layer.releaseAll();
      if (persistable()) {
        const at = stateHead as BlockRef;
        try {
          await level.batch(persistOps(at), { sync: true });
          persistedAt(at);
        } catch (cause) {
          // Nothing is lost: the next start re-executes the blocks after the persisted state.
          fault(
            new CustosError(
              "CHAIN_DB_COMMIT_FAILED",
              "the state held in memory was not persisted at stop",
              {
                details: { blockNumber: at.number.toString(), blockHash: bytesToHex(at.hash) },
                cause,
              },
            ),
          );
        }
      }
      await level.close();
    },
  };

  if (markerPath !== undefined) {
    try {
      recovering = await checkAtOpen(chainDb, marker, options);
    } catch (error) {
      await level.close();
      throw error;
    }
  }
  if (stateProblem !== undefined) {
    await level.close();
    throw chainCorruptError([stateProblem]);
  }
  if (markerPath !== undefined) {
    const opened = head;
    if (opened !== undefined && recovering === undefined) {
      try {
        await writeHeadMarker(markerPath, {
          number: opened.header.number,
          hash: opened.hash(),
          logFrom: openedLogFrom,
        });
      } catch (error) {
        await level.close();
        throw storageError(markerPath, error, "cannot write");
      }
    }
  }
  return chainDb;
}

/**
 * The open-time check: the head against the marker, then the blocks that may still be only
 * in the write-ahead log (from the marker's `logFrom`) and at least `checkBlocks` below the
 * head. Returns the marker when the chain is short of it and `shortChain` is `recover`.
 */
async function checkAtOpen(
  chainDb: ChainDb,
  marker: HeadMarker | undefined,
  options: ChainDbOptions,
): Promise<HeadMarker | undefined> {
  const head = chainDb.head();
  let recovering: HeadMarker | undefined;
  if (marker !== undefined) {
    const short = head === undefined || head.header.number < marker.number;
    const hashAtMarker = short
      ? undefined
      : await chainDb
          .readRaw([keyOf(keyspaces.canonical, uint64Bytes(marker.number))])
          .then(([h]) => h);
    const problem = checkHeadMarker(head?.header.number, hashAtMarker, marker);
    if (problem !== undefined && !(short && options.shortChain === "recover")) {
      throw chainCorruptError([problem]);
    }
    if (problem !== undefined) recovering = marker;
  }
  if (head === undefined) return recovering;
  const window = BigInt(options.checkBlocks ?? defaultChainDbOptions.checkBlocks);
  let from = head.header.number - window + 1n;
  if (marker !== undefined && marker.logFrom < from) from = marker.logFrom;
  if (from < 0n) from = 0n;
  const report = await checkChain(chainDb, {
    from,
    to: head.header.number,
    maxProblems: 20,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (report.problems.length > 0) throw chainCorruptError(report.problems);
  return recovering;
}
