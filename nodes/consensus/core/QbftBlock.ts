/**
 * A proposed block as the consensus core sees it: the few header facts QBFT reasons about,
 * its two hashes, and its wire form. The core never looks inside a block; the node's adapter
 * wraps an EthereumJS block with Besu's QBFT extraData (nodes/chain), the simulator wraps a
 * toy block.
 *
 * Besu's rules, which the real adapter follows: `digest` is the commit-seal hash (keccak of
 * the header RLP with extraData re-encoded with the block's real round and no seals): PREPARE
 * and COMMIT name it, validators sign it as their commit seal, and a round change's prepared
 * value is it. `hash` is the on-chain hash (round 0, no seals): it does not change when a
 * prepared block is proposed again at a later round.
 */
export interface QbftBlock {
  /** Block number: the consensus height. */
  readonly height: bigint;
  /** The round written in the block's extraData. */
  readonly round: number;
  /** The proposer (header coinbase), 20 bytes. */
  readonly proposer: Uint8Array;
  /** On-chain hash of the parent block, 32 bytes. */
  readonly parentHash: Uint8Array;
  /** On-chain hash: extraData with round 0 and no seals, 32 bytes. */
  readonly hash: Uint8Array;
  /** Commit-seal hash: extraData with the real round and no seals, 32 bytes. */
  readonly digest: Uint8Array;
  /** The block's wire form, as PROPOSAL and ROUND_CHANGE messages carry it. */
  readonly encoded: Uint8Array;
  /**
   * The same block with `round` in its extraData: a prepared block proposed again at a later
   * round, or put back to its prepared round to check a justification.
   */
  withRound(round: number): QbftBlock;
}

/** Decodes blocks carried by consensus messages. */
export interface QbftBlockCodec {
  /**
   * The block in `encoded`, or undefined when the bytes are not a block of this chain's
   * shape (a malformed message: dropped and counted, never thrown).
   */
  decode(encoded: Uint8Array): QbftBlock | undefined;
}
