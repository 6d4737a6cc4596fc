/** An eth_getLogs filter over a resolved block range. */
export interface LogFilter {
  /** First block (inclusive). */
  readonly fromBlock: bigint;
  /** Last block (inclusive). */
  readonly toBlock: bigint;
  /** Emitting contracts; empty = any. */
  readonly addresses: readonly Uint8Array[];
  /** Per topic position: one topic, any of several, or null for any. */
  readonly topics: readonly (Uint8Array | readonly Uint8Array[] | null)[];
}

/** A log as eth_getLogs returns it, located in its block. */
export interface IndexedLog {
  readonly address: Uint8Array;
  readonly topics: readonly Uint8Array[];
  readonly data: Uint8Array;
  readonly blockNumber: bigint;
  readonly blockHash: Uint8Array;
  readonly txHash: Uint8Array;
  readonly txIndex: number;
  /** Position of the log in its block. */
  readonly logIndex: number;
  readonly removed: false;
}

/** Caps a log query must respect; the RPC layer passes its configured limits. */
export interface LogQueryLimits {
  /** Most blocks a query may span. */
  readonly maxBlockRange: number;
  /** Most logs a query may return. */
  readonly maxResults: number;
}

/** Defaults of {@link LogQueryLimits} (the values geth-like providers commonly use). */
export const defaultLogQueryLimits: LogQueryLimits = { maxBlockRange: 10_000, maxResults: 10_000 };
