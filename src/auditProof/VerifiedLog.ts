/**
 * An event a proof showed to be on the chain: the log as the receipt holds it, placed by
 * its block (number, on-chain hash, timestamp), transaction and block-wide log index, all
 * proven. Hex strings are lowercase.
 */
export interface VerifiedLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  /** Seconds since the Unix epoch, from the sealed header. */
  readonly blockTimestamp: number;
  readonly transactionHash: string;
  readonly transactionIndex: number;
  /** Position among all logs of the block, as JSON-RPC's `logIndex`. */
  readonly logIndex: number;
}
