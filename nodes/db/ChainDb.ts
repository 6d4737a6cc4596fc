import type { Block, BlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { CustosError } from "../../src/errors/index.ts";
import type { FlatState, FlatWrite } from "./createFlatState.ts";
import type { StateDb } from "./createLevelTrieDb.ts";
import type { StateWrite } from "./createWriteBackDb.ts";
import type { HeadMarker } from "./headMarker.ts";
import type { IndexedLog, LogFilter, LogQueryLimits } from "./logFilter.ts";
import type { LocatedReceipt, StoredReceipt } from "./storedReceipt.ts";

/** What one committed block writes. */
export interface CommitBlockInput {
  readonly block: Block;
  readonly receipts: readonly StoredReceipt[];
  /** The block's state-trie writes, from the write-back layer. */
  readonly stateWrites: readonly StateWrite[];
  /**
   * Keys of stored state-trie nodes the block's state no longer references (pruned when the
   * state is next persisted); none by default.
   */
  readonly stateDeletes?: readonly Uint8Array[];
  /**
   * The block's changes to the flat state. Stored (in the same batch) only when the flat
   * state holds the parent's state (or the database is empty, for genesis); otherwise the
   * flat state stays at its block and readers use the trie.
   */
  readonly flatWrites?: readonly FlatWrite[];
}

/** Options of {@link ChainDb.commitBlock}. */
export interface CommitOptions {
  /**
   * Default true: the commit is synced (with `syncWrites`) and the head marker moved before
   * it resolves. False for blocks synced from peers: the batch is written without a sync and
   * the marker stays, until the next durable commit or {@link ChainDb.sync} makes every
   * earlier write durable at once; a crash in between loses only blocks that peers still
   * hold (the marker never names a block that was not durable).
   */
  readonly durable?: boolean;
}

/** Where a transaction was included. */
export interface TransactionLocation {
  readonly blockHash: Uint8Array;
  readonly blockNumber: bigint;
  readonly index: number;
}

/** A block named by number and hash. */
export interface BlockRef {
  readonly number: bigint;
  readonly hash: Uint8Array;
}

/** What {@link ChainDb.restoreState} applies: a committed block's state changes. */
export interface RestoreStateInput {
  readonly block: Block;
  readonly stateWrites: readonly StateWrite[];
  readonly stateDeletes?: readonly Uint8Array[];
}

/** Which log index to scan. */
export type LogIndexKind = "address" | "topic";

/** Whether the database can be trusted and written (see {@link ChainDb.health}). */
export interface ChainDbHealth {
  /** Damage found since the database was opened (holes or undecodable records). */
  readonly checkFailures: number;
  /**
   * Why the node should not be called ready: damage found while serving or a failed commit
   * (both until a restart), or a head marker that could not be written (until the next one
   * is). Undefined when all is well.
   */
  readonly fault?: CustosError;
  /**
   * The head marker this database is being brought back to: blocks were lost at its tip and
   * are being synced again (opened with `shortChain: "recover"`). Undefined once a commit
   * reached the marker's block with its hash, or when nothing was lost.
   */
  readonly recovering?: HeadMarker;
}

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
  /**
   * The block whose state is persisted: stored in full on disk, and what a restart resumes
   * from. Later blocks' state changes are held in memory until the next persist (every
   * `statePersistBlocks` blocks, at `statePersistBytes`, at `sync` and at `close`).
   */
  stateBlock(): BlockRef | undefined;
  /**
   * The block whose state the state keyspace serves (persisted state plus the changes in
   * memory): the head, except after a crash until {@link ChainDb.restoreState} has brought
   * the blocks after {@link ChainDb.stateBlock} back.
   */
  stateHead(): BlockRef | undefined;
  /**
   * Applies the state changes of the committed block after {@link ChainDb.stateHead} again
   * (re-executed after a restart), without writing the block.
   *
   * @throws CustosError `INTERNAL` when the block is not the state head's child.
   */
  restoreState(input: RestoreStateInput): void;
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
  /**
   * Stores a block, its receipts, indexes, state writes and the new head in ONE batch (synced
   * unless `syncWrites` is false), then rewrites the head marker when there is one.
   *
   * @throws CustosError `CHAIN_DB_COMMIT_FAILED` when the batch fails (the database then
   *   refuses further commits until it is reopened: a failed write may leave a torn record in
   *   the write-ahead log, and writing on could lose later blocks at the next open);
   *   `CHAIN_DB_CORRUPT` after damage was found (a holed chain is never extended).
   */
  commitBlock(input: CommitBlockInput, options?: CommitOptions): Promise<void>;
  /** Raw records by full key (keyspace byte included), for checks and tools. */
  readRaw(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Damage and faults seen since the database was opened. */
  health(): ChainDbHealth;
  /**
   * Makes every earlier write durable (one synced write) and moves the head marker to the
   * head: after commits with `durable: false`, or on a database opened without `syncWrites`.
   */
  sync(): Promise<void>;
  /**
   * Rebuilds the flat state from the head's state trie (a database from before flat state,
   * or one whose flat state stopped at another block): until it is done, execution reads
   * the trie. Not atomic, but the flat head pointer is cleared first and set last.
   */
  rebuildFlatState(): Promise<void>;
  /** Closes the database. */
  close(): Promise<void>;
}
