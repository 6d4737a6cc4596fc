/** A peer that can serve blocks, as block sync sees it. */
export interface SyncPeer {
  readonly peerId: string;
  /** The number of the peer's head block, as it last announced it. */
  readonly head: bigint;
}

/**
 * Where block sync fetches blocks: the p2p network's connected peers and its block requests
 * (`P2pNetwork.peers`, `requestBlocks`, `penalise` in the node's wiring).
 */
export interface BlockSource {
  /** Connected peers with their announced heads. */
  peers(): readonly SyncPeer[];
  /**
   * Up to `count` consecutive blocks from `fromNumber` (RLP of sealed blocks); fewer when the
   * peer has fewer. Rejects on timeout, disconnect or a malformed answer.
   */
  requestBlocks(
    peerId: string,
    fromNumber: bigint,
    count: number,
    signal: AbortSignal,
  ): Promise<readonly Uint8Array[]>;
  /** Scores a peer down for serving a block that does not verify. */
  penalise(peerId: string, reason: "invalid-block"): void;
}
