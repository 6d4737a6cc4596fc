import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { CommitOptions, FlatWrite, StateWrite, StoredReceipt } from "../db/index.ts";

/** Header fields the block producer chooses. */
export interface BuildBlockOptions {
  /** Block timestamp (seconds); must exceed the parent's. */
  readonly timestamp: bigint;
  /** Receiver of priority fees (the proposing validator). */
  readonly coinbase: Uint8Array;
  /** Gas limit of the block. */
  readonly gasLimit: bigint;
  /**
   * Extra data (consensus fields; QBFT extraData is written by `buildQbftBlock` in
   * nodes/chain); empty by default.
   */
  readonly extraData?: Uint8Array;
}

/** Options of {@link ExecutionEngine.executeBlock}. */
export interface ExecuteBlockOptions {
  /**
   * The block is a proposal (QBFT PROPOSAL) to vote on, not a committed block: the engine's
   * `HeaderRule` checks its consensus fields but not commit seals, which it does not carry
   * yet. Default false.
   */
  readonly proposal?: boolean;
}

/** Why a pending transaction was left out of a built block. */
export interface RejectedTransaction {
  readonly tx: TypedTransaction;
  /**
   * `invalid`: it can never be included as is (bad nonce, insufficient balance, bad
   * signature, gas limit above the block's); `doesNotFit`: valid but the block is full.
   */
  readonly kind: "invalid" | "doesNotFit";
  /** Human-readable reason from the EVM or the builder. */
  readonly reason: string;
}

/** An executed block whose state writes are buffered until {@link ExecutionEngine.commit}. */
export interface ExecutedBlock {
  /** The sealed block (state root, receipts root, transactions root, bloom, gas used). */
  readonly block: Block;
  /** Receipts in transaction order. */
  readonly receipts: readonly StoredReceipt[];
  /** The block's state-trie writes (what commitBlock stores). */
  readonly stateWrites: readonly StateWrite[];
  /** Keys of the stored state-trie nodes the block's state no longer references (pruned). */
  readonly stateDeletes?: readonly Uint8Array[];
  /** The block's flat-state changes (absent on the `merkle` state path). */
  readonly flatWrites?: readonly FlatWrite[];
}

/** A built block plus the pending transactions left out. */
export interface BuiltBlock extends ExecutedBlock {
  readonly rejected: readonly RejectedTransaction[];
}

/** Account fields as eth_getBalance / eth_getTransactionCount need them. */
export interface AccountState {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
}

/** An eth_call / eth_estimateGas request. */
export interface CallRequest {
  readonly from?: Uint8Array;
  /** Target; absent for a contract creation. */
  readonly to?: Uint8Array;
  readonly data?: Uint8Array;
  readonly value?: bigint;
  /** Gas available, intrinsic gas included (as a transaction's gas limit); default the block gas limit. */
  readonly gas?: bigint;
  /**
   * EIP-2930 access list: charged as intrinsic gas (2,400 per address, 1,900 per storage key)
   * and warm from the start, as in a transaction carrying it.
   */
  readonly accessList?: readonly {
    readonly address: Uint8Array;
    readonly storageKeys: readonly Uint8Array[];
  }[];
}

/** The outcome of a call: expected failures (revert, out of gas) are returned, not thrown. */
export interface CallResult {
  readonly returnData: Uint8Array;
  /** Gas the call consumed as a transaction would: intrinsic gas plus execution, before refunds. */
  readonly gasUsed: bigint;
  /** Present when execution reverted; `reason` decodes `Error(string)`. */
  readonly revert?: { readonly data: Uint8Array; readonly reason?: string };
  /** Present when execution failed without a revert (e.g. "out of gas", "invalid opcode"). */
  readonly error?: string;
}

/**
 * The node's EVM: builds blocks, re-executes received blocks, serves state reads and calls.
 * Blocks are built and verified on their parent's COMMITTED state; their writes stay in
 * memory until {@link ExecutionEngine.commit} stores them in one atomic batch.
 */
export interface ExecutionEngine {
  /** Chain parameters (chain id, hardfork, crypto). */
  readonly common: Common;
  /** Executes pending transactions once each, in order, on `parent`'s state and seals a block. */
  buildBlock(
    parent: Block,
    pendingTxs: readonly TypedTransaction[],
    options: BuildBlockOptions,
  ): Promise<BuiltBlock>;
  /**
   * Re-executes a received block on its parent's state and verifies its header: first by the
   * engine's `HeaderRule` (consensus fields, commit seals), then against the outcome.
   */
  executeBlock(block: Block, options?: ExecuteBlockOptions): Promise<ExecutedBlock>;
  /**
   * The executed block with `block` in place of its block: the same block with its final
   * consensus fields (QBFT commit seals, added once a quorum committed it), so with the same
   * hash, roots and body. Its writes stay held for {@link commit}; the original is spent.
   */
  withBlock<T extends ExecutedBlock>(executed: T, block: Block): T;
  /** Bytes of keys and values the cache of committed trie nodes holds (for metrics). */
  trieCacheBytes(): number;
  /**
   * Stores an executed block (block, receipts, indexes, state, head) atomically; with
   * `durable: false` (blocks synced from peers) without a sync, see `ChainDb.commitBlock`.
   */
  commit(executed: ExecutedBlock, options?: CommitOptions): Promise<void>;
  /**
   * Brings the state back to the head after a restart: re-executes (and verifies) each block
   * after the persisted state (`ChainDb.stateBlock`, at most `statePersistBlocks` of them
   * after a crash, none after a clean stop) and holds its state changes, without writing the
   * blocks. Returns how many blocks were re-executed; `onBlock` hears of each.
   *
   * @throws CustosError `BLOCK_INVALID` when a stored block does not re-execute to its header
   *   (damage), `STATE_NOT_AVAILABLE` when the persisted state is incomplete.
   */
  restoreState(onBlock?: (number: bigint, head: bigint) => void): Promise<number>;
  /** Account at a committed block (zeros for an absent account). */
  account(address: Uint8Array, block: Block): Promise<AccountState>;
  /** Contract code at a committed block. */
  code(address: Uint8Array, block: Block): Promise<Uint8Array>;
  /** A storage slot (32 bytes) at a committed block, as 32 bytes. */
  storageAt(address: Uint8Array, slot: Uint8Array, block: Block): Promise<Uint8Array>;
  /**
   * Runs a call on a committed block's state without changing it, on the calling thread and
   * without a gas cap or timeout: for the node's own calls (membership). Requests from
   * clients go through a `CallExecutor` (`createCallPool`).
   */
  call(request: CallRequest, block: Block): Promise<CallResult>;
  /**
   * Smallest gas limit with which the request succeeds, at most the request's gas (default
   * the block gas limit) and `MAX_TX_GAS`; on the calling thread, as `call`.
   */
  estimateGas(request: CallRequest, block: Block): Promise<bigint>;
}
