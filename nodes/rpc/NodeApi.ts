import type { Block } from "@ethereumjs/block";
import type { Log } from "@ethereumjs/evm";
import type { TypedTransaction } from "@ethereumjs/tx";

/**
 * One transaction's receipt as the node stores it. Contextual fields the RPC layer can derive
 * (block hash and number, sender, recipient, type, block-global log indexes) are not stored.
 */
export interface StoredReceipt {
  /** Gas used by this transaction and all before it in the block. */
  readonly cumulativeGasUsed: bigint;
  /** 1 on success, 0 on failure (EIP-658). */
  readonly status: 0 | 1;
  /** 256-byte bloom of this receipt's logs. */
  readonly logsBloom: Uint8Array;
  /** Logs in emission order, as the EVM returns them. */
  readonly logs: readonly Log[];
  /** Gas used by this transaction alone. */
  readonly gasUsed: bigint;
  /** Address of the contract created, for a creation transaction that succeeded. */
  readonly contractAddress?: Uint8Array;
  /** Wei paid per gas by the sender. */
  readonly effectiveGasPrice: bigint;
  /** Keccak hash of the transaction. */
  readonly txHash: Uint8Array;
  /** Position of the transaction in its block. */
  readonly txIndex: number;
  /** Blob gas used, only for EIP-4844 transactions. */
  readonly blobGasUsed?: bigint;
  /** Blob gas price of the block, only for EIP-4844 transactions. */
  readonly blobGasPrice?: bigint;
}

/** A log with its position in the chain, as the log index returns it. */
export interface IndexedLog {
  /** Emitting contract. */
  readonly address: Uint8Array;
  /** Zero to four 32-byte topics. */
  readonly topics: readonly Uint8Array[];
  /** Non-indexed event data. */
  readonly data: Uint8Array;
  /** Number of the block holding the log. */
  readonly blockNumber: bigint;
  /** Hash of the block holding the log. */
  readonly blockHash: Uint8Array;
  /** Hash of the transaction that emitted the log. */
  readonly txHash: Uint8Array;
  /** Position of that transaction in its block. */
  readonly txIndex: number;
  /** Position of the log among all logs of its block. */
  readonly logIndex: number;
  /** Always false: a BFT chain with immediate finality never reorganises. */
  readonly removed: false;
}

/**
 * A log query over an inclusive block range. The RPC layer validates and caps the range; the
 * backend must still stop after `limit` logs so one query cannot exhaust memory.
 */
export interface LogFilter {
  /** First block number, inclusive. */
  readonly fromBlock: bigint;
  /** Last block number, inclusive; never above the head. */
  readonly toBlock: bigint;
  /** Emitting contracts (any of); empty means any address. */
  readonly addresses: readonly Uint8Array[];
  /**
   * Per topic position: `null` matches anything, a hash matches exactly, a list matches any
   * of its hashes. At most four positions.
   */
  readonly topics: readonly (Uint8Array | readonly Uint8Array[] | null)[];
  /** Maximum number of logs to return; the RPC layer asks for one more than its cap. */
  readonly limit: number;
}

/** A message call to simulate (eth_call, eth_estimateGas), decoded from JSON-RPC. */
export interface CallRequest {
  readonly from?: Uint8Array;
  /** Absent for contract creation. */
  readonly to?: Uint8Array;
  readonly gas?: bigint;
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  readonly value?: bigint;
  /** Call data (`input`, or its older alias `data`). */
  readonly data?: Uint8Array;
  readonly nonce?: bigint;
  readonly accessList?: readonly {
    readonly address: Uint8Array;
    readonly storageKeys: readonly Uint8Array[];
  }[];
}

/** Why a simulated call did not succeed. */
export type CallFailure =
  | {
      readonly kind: "revert";
      /** Revert data returned by the contract (ABI-encoded error or empty). */
      readonly data: Uint8Array;
      /** Decoded `Error(string)` reason, when the data is one. */
      readonly reason?: string;
    }
  | {
      readonly kind: "halt";
      /** Exceptional halt reason, e.g. "out of gas", "invalid opcode". */
      readonly reason: string;
    };

/** Outcome of a simulated call. A revert is an expected outcome, so it is returned, not thrown. */
export interface CallResult {
  readonly returnData: Uint8Array;
  readonly gasUsed: bigint;
  /** Present when the call reverted or halted. */
  readonly failure?: CallFailure;
}

/** Outcome of a gas estimation. */
export type GasEstimate =
  | { readonly ok: true; readonly gas: bigint }
  | { readonly ok: false; readonly failure: CallFailure };

/** Where a committed transaction lives. */
export interface TransactionLocation {
  readonly blockHash: Uint8Array;
  readonly blockNumber: bigint;
  readonly index: number;
}

/** An account's header fields at a block. */
export interface AccountState {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
}

/** eth_syncing's answer: false when in sync. */
export type SyncStatus =
  | false
  | {
      readonly startingBlock: bigint;
      readonly currentBlock: bigint;
      readonly highestBlock: bigint;
    };

/** One storage slot's EIP-1186 proof. */
export interface StorageSlotProof {
  /** The slot (32 bytes). */
  readonly key: Uint8Array;
  /** Its value (zero for an unset slot). */
  readonly value: bigint;
  /** RLP-encoded trie nodes from the storage root down to the slot (or to its absence). */
  readonly proof: readonly Uint8Array[];
}

/**
 * An account and some of its storage slots proven against a block's state root (EIP-1186).
 * An absent account has zero nonce and balance, the empty code hash and the empty storage
 * root, and its account proof shows the absence.
 */
export interface AccountProof {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
  /** Root of the account's storage trie. */
  readonly storageHash: Uint8Array;
  /** RLP-encoded trie nodes from the state root down to the account (or to its absence). */
  readonly accountProof: readonly Uint8Array[];
  readonly storageProof: readonly StorageSlotProof[];
}

/** An entry of an EIP-2930 access list. */
export interface AccessListEntry {
  readonly address: Uint8Array;
  /** 32-byte slots. */
  readonly storageKeys: readonly Uint8Array[];
}

/** eth_createAccessList's answer. */
export interface AccessListResult {
  /**
   * Addresses and slots the transaction touches; its sender, recipient and the precompiles
   * only with the storage slots it touches there (they are warm anyway), as geth.
   */
  readonly accessList: readonly AccessListEntry[];
  /** Gas the transaction uses with that access list (intrinsic and access-list gas included). */
  readonly gasUsed: bigint;
  /** Present when the transaction reverted or halted with that access list. */
  readonly failure?: CallFailure;
}

/** Kind of a traced call frame, as geth's callTracer names them. */
export type CallFrameType =
  | "CALL"
  | "STATICCALL"
  | "DELEGATECALL"
  | "CALLCODE"
  | "CREATE"
  | "CREATE2";

/** One call of a traced transaction (geth's callTracer frame). */
export interface CallFrame {
  readonly type: CallFrameType;
  readonly from: Uint8Array;
  /** Callee, or the created contract (absent when a creation failed). */
  readonly to?: Uint8Array;
  /** Absent for STATICCALL. */
  readonly value?: bigint;
  readonly gas: bigint;
  readonly gasUsed: bigint;
  readonly input: Uint8Array;
  /** Returned data; absent after a halt other than a revert. */
  readonly output?: Uint8Array;
  /** Why the frame failed ("execution reverted", "out of gas", …). */
  readonly error?: string;
  /** The decoded `Error(string)` of a revert. */
  readonly revertReason?: string;
  readonly calls: readonly CallFrame[];
}

/** Options of a transaction trace. */
export interface TraceOptions {
  /** Only the top-level frame, without sub-calls. */
  readonly onlyTopCall: boolean;
}

/** Gauges the node reports on each Prometheus scrape. */
export interface NodeMetricsSnapshot {
  /** Number of the head block. */
  readonly height: bigint;
  /** Transactions committed since the node process started. */
  readonly transactions: bigint;
  /** Transactions waiting in the pool. */
  readonly poolSize: number;
  /** Connected peers. */
  readonly peers: number;
  /** eth_call and eth_estimateGas runs stopped by the timeout since the process started. */
  readonly callTimeouts?: number;
  /** V8 heap held by the worker threads running calls, estimates, access lists and traces. */
  readonly stateWorkerHeapBytes?: number;
  /** Bytes held by the state caches: committed trie nodes and flat-state reads. */
  readonly stateCacheBytes?: { readonly trie: number; readonly flat: number };
  /** Damage the chain database's checks found since the process started (holes, undecodable records). */
  readonly dbCheckFailures?: number;
  /** QBFT consensus, on a node in a network (absent on a single node). */
  readonly consensus?: ConsensusMetricsSnapshot;
  /**
   * Counters of the node's parts exposed as they are (the p2p network's `p2p_*_total`:
   * gater decisions, handshakes, disconnects, penalties, bans, dropped frames, sync requests).
   */
  readonly counters?: readonly CounterSeries[];
}

/** One counter series a node part counted: its name (without prefix), labels and total. */
export interface CounterSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** QBFT consensus as metrics show it; counters count from the process's start. */
export interface ConsensusMetricsSnapshot {
  /** The height being decided. */
  readonly height: bigint;
  readonly round: number;
  /** Rounds moved within a height (timeouts and round skips). */
  readonly roundChanges: number;
  /** Proposer of the current round, 0x-hex (absent before consensus starts). */
  readonly proposer?: string;
  /** Size of the current height's validator set. */
  readonly validators: number;
  /** This node votes at the current height. */
  readonly voting: boolean;
  /** Blocks this node committed through consensus (not those synced). */
  readonly blocksCommitted: number;
  /** Time from a height's due moment to its commit, last block, in ms. */
  readonly lastCommitLatencyMs?: number;
  /** Messages received by type (proposal, prepare, commit, roundChange, unknown). */
  readonly messagesReceived: Readonly<Record<string, number>>;
  /** Messages sent by type, one per recipient. */
  readonly messagesSent: Readonly<Record<string, number>>;
  /** Messages dropped by reason. */
  readonly drops: Readonly<Record<string, number>>;
  /** Equivocations detected. */
  readonly evidence: number;
  /** A sync from peers runs. */
  readonly syncing: boolean;
}

/** Emitted once per executed block, to feed the execution-time histogram. */
export interface BlockExecutedEvent {
  readonly number: bigint;
  readonly transactions: number;
  /** Wall-clock execution time of the block. */
  readonly seconds: number;
}

/**
 * The node as the RPC layer sees it: the port the integrator implements over storage,
 * execution and the transaction pool. Hashes and addresses are bytes; hex exists only at the
 * RPC boundary. Reads at a block use that block's state root.
 *
 * @example
 * ```ts
 * const server = createRpcServer({ api: nodeApi, options: defaultRpcServerOptions });
 * ```
 */
export interface NodeApi {
  chainId(): bigint;
  clientVersion(): string;
  /** The latest committed block (with immediate finality also safe and finalized). */
  head(): Block;
  /** A canonical block by number, undefined above the head. */
  blockByNumber(number: bigint): Promise<Block | undefined>;
  blockByHash(hash: Uint8Array): Promise<Block | undefined>;
  /** All receipts of a block in transaction order, undefined for an unknown block. */
  receipts(blockHash: Uint8Array): Promise<readonly StoredReceipt[] | undefined>;
  /**
   * The receipt at `index` of a block and the number of logs in the block's earlier
   * receipts; undefined for an unknown block or index. Cheaper than `receipts` on large
   * blocks: only that receipt is decoded.
   */
  receipt(
    blockHash: Uint8Array,
    index: number,
  ): Promise<{ readonly receipt: StoredReceipt; readonly firstLogIndex: number } | undefined>;
  transactionLocation(txHash: Uint8Array): Promise<TransactionLocation | undefined>;
  /** A transaction waiting in the pool. */
  pendingTransaction(txHash: Uint8Array): TypedTransaction | undefined;
  account(address: Uint8Array, block: Block): Promise<AccountState>;
  code(address: Uint8Array, block: Block): Promise<Uint8Array>;
  /** The 32-byte value of a storage slot (32-byte key). */
  storageAt(address: Uint8Array, slot: Uint8Array, block: Block): Promise<Uint8Array>;
  /**
   * Runs a call on `block`'s state. `client` (the remote address) lets the node share its
   * call capacity fairly between clients.
   */
  call(request: CallRequest, block: Block, client?: string): Promise<CallResult>;
  /**
   * Gas the request needs on `block`'s state. At the head, the estimate is for the block a
   * transaction sent now would run in (next number, timestamp and base fee).
   */
  estimateGas(request: CallRequest, block: Block, client?: string): Promise<GasEstimate>;
  /**
   * Admits a signed transaction to the pool and returns its hash.
   *
   * @throws CustosError TXPOOL_DECODE_FAILED, TXPOOL_NONCE_TOO_LOW, TXPOOL_INSUFFICIENT_FUNDS,
   *   TXPOOL_REPLACEMENT_UNDERPRICED, TXPOOL_SENDER_NOT_MEMBER (or the pool's own codes).
   */
  sendRawTransaction(raw: Uint8Array): Promise<Uint8Array>;
  /** Logs matching a filter, in chain order, at most `filter.limit` of them. */
  logs(filter: LogFilter): Promise<readonly IndexedLog[]>;
  /** Next nonce of an account counting its pooled transactions. */
  pendingNonce(address: Uint8Array): Promise<bigint>;
  gasPrice(): bigint;
  maxPriorityFee(): bigint;
  syncing(): SyncStatus;
  /** Subscribes to committed heads; returns the unsubscribe function. */
  onNewHead(listener: (block: Block) => void): () => void;
  /** Subscribes to the logs of each committed block; returns the unsubscribe function. */
  onLogs(listener: (logs: readonly IndexedLog[]) => void): () => void;
  /** Subscribes to block execution timings; returns the unsubscribe function. */
  onBlockExecuted(listener: (event: BlockExecutedEvent) => void): () => void;
  metrics(): NodeMetricsSnapshot;
  /**
   * True once storage is open and the head is loaded, and as long as the chain database
   * reports no fault (damage found, a failed commit, a head marker that cannot be written).
   */
  ready(): boolean;
  /** The canonical block hash at a height, undefined above the head. */
  canonicalHash(number: bigint): Promise<Uint8Array | undefined>;
  /**
   * Subscribes to transactions that become executable in the pool (admitted as pending, or
   * promoted when a nonce gap closed); returns the unsubscribe function.
   */
  onPendingTransactions(listener: (hashes: readonly Uint8Array[]) => void): () => void;
  /**
   * EIP-1186 proof of an account and of the given 32-byte storage slots at `block`.
   *
   * @throws CustosError STATE_NOT_AVAILABLE when the block's state is not stored.
   */
  proof(address: Uint8Array, slots: readonly Uint8Array[], block: Block): Promise<AccountProof>;
  /**
   * The access list a transaction built from `request` would use on `block`'s state (at the
   * head: in the next block's context), with the gas it uses with that list. Gas is capped at
   * what one transaction may use.
   *
   * @throws CustosError STATE_NOT_AVAILABLE, RPC_LIMIT_EXCEEDED when too many runs wait.
   */
  createAccessList(request: CallRequest, block: Block): Promise<AccessListResult>;
  /**
   * Replays a committed transaction (its block's earlier transactions first) and returns its
   * call frames; undefined when no committed transaction has that hash.
   *
   * @throws CustosError STATE_NOT_AVAILABLE, RPC_LIMIT_EXCEEDED when too many runs wait.
   */
  traceTransaction(txHash: Uint8Array, options: TraceOptions): Promise<CallFrame | undefined>;
}
