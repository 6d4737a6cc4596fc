import type { QbftPreparedMetadata } from "./QbftMessage.ts";

/** The prepared certificate a validator holds: the block and the prepares that certify it. */
export interface QbftRecordedCertificate {
  /** The round the block was prepared at. */
  readonly round: number;
  /** The block's wire form (`QbftBlock.encoded`) at that round. */
  readonly block: Uint8Array;
  /** The certifying prepares, each `RLP([payload, signature])`. */
  readonly prepares: readonly Uint8Array[];
}

/**
 * What a validator has signed at its current height and round, and its prepared
 * certificate: the core emits it (`persist`) before sending any newly signed message, and
 * takes the last one back on restart. Rounds only grow within a height and the core signs
 * only at its current round, so the current round's messages are all a validator must
 * remember to never sign two different messages for one (height, round, type). Digests
 * rather than messages keep it small: a restarted validator re-signs the same payload, which
 * a deterministic signer turns into the same bytes. Its height also bars voting: a validator
 * whose chain is below `height` (storage lost blocks) signs nothing until it has synced up.
 */
export interface QbftSigningRecord {
  readonly height: bigint;
  readonly round: number;
  /** Digest of the block this validator proposed at (height, round). */
  readonly proposal: Uint8Array | undefined;
  /** Digest it sent PREPARE for. */
  readonly prepare: Uint8Array | undefined;
  /** Digest it sent COMMIT (and a commit seal) for. */
  readonly commit: Uint8Array | undefined;
  /** Its ROUND_CHANGE for `round`, when it sent one: the prepared claim it made. */
  readonly roundChange: { readonly prepared: QbftPreparedMetadata | undefined } | undefined;
  readonly certificate: QbftRecordedCertificate | undefined;
}
