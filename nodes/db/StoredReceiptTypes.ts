import type { Log } from "@ethereumjs/evm";

/**
 * A transaction receipt as the node stores and serves it: the consensus fields plus what
 * eth_getTransactionReceipt needs without re-execution.
 */
export interface StoredReceipt {
  /** Transaction type (0 legacy, 1 access list, 2 fee market). */
  readonly txType: number;
  /** Hash of the transaction. */
  readonly txHash: Uint8Array;
  /** Position of the transaction in its block. */
  readonly txIndex: number;
  /** 1 on success, 0 when execution failed (reverted or out of gas). */
  readonly status: 0 | 1;
  /** Gas used by this and all earlier transactions of the block. */
  readonly cumulativeGasUsed: bigint;
  /** Gas used by this transaction. */
  readonly gasUsed: bigint;
  /** Price per gas actually paid (base fee + effective tip). */
  readonly effectiveGasPrice: bigint;
  /** Address of the contract a creation deployed. */
  readonly contractAddress?: Uint8Array;
  /** 256-byte bloom of this receipt's logs. */
  readonly logsBloom: Uint8Array;
  /** Logs as `[address, topics, data]`. */
  readonly logs: readonly Log[];
}

/** One receipt of a block and the block-wide index of its first log. */
export interface LocatedReceipt {
  readonly receipt: StoredReceipt;
  /** Number of logs in the block's earlier receipts (eth_getLogs `logIndex` of its first). */
  readonly firstLogIndex: number;
}
