/** A validator vote carried by a block: add `recipient` to the validator set, or drop it. */
export interface QbftVote {
  /** The 20-byte address voted on. */
  readonly recipient: Uint8Array;
  /** True to add the recipient (written `0xff`), false to drop it (an empty byte string). */
  readonly add: boolean;
}

/**
 * The QBFT fields a block header carries in its `extraData`, in Besu's layout
 * (`QbftExtraDataCodec`): the RLP list `[vanity, [validator…], vote, round, [seal…]]`.
 *
 * @example
 * ```ts
 * const extraData: QbftExtraData = {
 *   vanity: new Uint8Array(32),
 *   validators: [alice, bob],
 *   vote: { recipient: carol, add: true },
 *   round: 0,
 *   seals: [],
 * };
 * ```
 */
export interface QbftExtraData {
  /** 32 free bytes (zero in the blocks Besu and Custos write). */
  readonly vanity: Uint8Array;
  /** The validator set after this block: 20-byte addresses, ascending in a valid block. */
  readonly validators: readonly Uint8Array[];
  /** The proposer's vote, or undefined when the block carries none (written `0xc0`). */
  readonly vote: QbftVote | undefined;
  /** The round the block was proposed in: an integer from 0 to {@link QBFT_MAX_ROUND}. */
  readonly round: number;
  /** Commit seals, 65 bytes each: r ‖ s ‖ recovery id (0 or 1) over the commit-seal hash. */
  readonly seals: readonly Uint8Array[];
}

/**
 * Length of the vanity field.
 *
 * @example
 * ```ts
 * const vanity = new Uint8Array(QBFT_VANITY_LENGTH);
 * ```
 */
export const QBFT_VANITY_LENGTH = 32;

/**
 * Length of a validator address.
 *
 * @example
 * ```ts
 * if (address.length !== QBFT_ADDRESS_LENGTH) reject(address);
 * ```
 */
export const QBFT_ADDRESS_LENGTH = 20;

/**
 * Length of a commit seal: r (32) ‖ s (32) ‖ recovery id (1).
 *
 * @example
 * ```ts
 * if (seal.length !== QBFT_SEAL_LENGTH) reject(seal);
 * ```
 */
export const QBFT_SEAL_LENGTH = 65;

/**
 * The largest round: Besu reads the round into a Java `int` and hashes it re-encoded as a
 * signed value, so a larger round could not be hashed the way Besu hashes it.
 *
 * @example
 * ```ts
 * const next = Math.min(round + 1, QBFT_MAX_ROUND);
 * ```
 */
export const QBFT_MAX_ROUND = 0x7fff_ffff;
