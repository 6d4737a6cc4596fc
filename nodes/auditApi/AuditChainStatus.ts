/** What the chain looks like from this node: the dashboard's status panel. */
export interface AuditChainStatus {
  /** Decimal. */
  readonly chainId: string;
  /** Head block number, decimal. */
  readonly height: string;
  readonly headHash: `0x${string}`;
  /** Unix seconds of the head block: the last commit. */
  readonly headTimestamp: number;
  /** The validator set at the head, lowercase hex, ascending. */
  readonly validators: readonly `0x${string}`[];
  /** Connected peers (0 on a single node). */
  readonly peers: number;
  readonly syncing: boolean;
  /** The node's version (`web3_clientVersion`). */
  readonly clientVersion: string;
}
