/**
 * Where block sync puts blocks: verifies a sealed block (its commit seals against the
 * validator set of its height, then its execution) and commits it on top of the head — the
 * node's execution engine and chain database in the wiring.
 */
export interface BlockImporter {
  /** Number of the head block. */
  headNumber(): bigint;
  /**
   * Verifies and commits the block in `encoded` (RLP of a sealed block) as the new head.
   *
   * @throws CustosError `BLOCK_INVALID` or `QBFT_SEAL_INVALID` for a block that does not
   *   decode, verify or execute (the peer that sent it is at fault); any other error is the
   *   node's own (storage) and stops the sync.
   */
  importBlock(encoded: Uint8Array, signal: AbortSignal): Promise<void>;
  /**
   * Makes the blocks imported so far durable: imports may defer their sync so a catch-up
   * costs one sync per batch, not one per block. Block sync calls it after every batch and
   * when it stops.
   */
  flush(): Promise<void>;
}
