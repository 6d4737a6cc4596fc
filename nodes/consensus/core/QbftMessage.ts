import type { QbftBlock } from "./QbftBlock.ts";

/**
 * Message codes, as Besu's `QbftV1` numbers them. On the wire a message is its code (one
 * byte) followed by the message's RLP, as devp2p frames a message: its id, then its data.
 *
 * @example
 * ```ts
 * bytes[0] === QBFT_MESSAGE_CODES.prepare; // 0x13
 * ```
 */
export const QBFT_MESSAGE_CODES = Object.freeze({
  proposal: 0x12,
  prepare: 0x13,
  commit: 0x14,
  roundChange: 0x15,
} as const);

/** The four QBFT message kinds. */
export type QbftMessageType = keyof typeof QBFT_MESSAGE_CODES;

/** A round change's claim to have prepared: the prepared round and the block's digest. */
export interface QbftPreparedMetadata {
  readonly round: number;
  /** Commit-seal hash of the prepared block at `round`, 32 bytes. */
  readonly digest: Uint8Array;
}

/** PROPOSAL's signed payload: `[sequence, round, block]`. */
export interface QbftProposalPayload {
  readonly type: "proposal";
  readonly height: bigint;
  readonly round: number;
  readonly block: QbftBlock;
}

/** PREPARE's signed payload: `[sequence, round, digest]`. */
export interface QbftPreparePayload {
  readonly type: "prepare";
  readonly height: bigint;
  readonly round: number;
  readonly digest: Uint8Array;
}

/** COMMIT's signed payload: `[sequence, round, digest, commitSeal]`. */
export interface QbftCommitPayload {
  readonly type: "commit";
  readonly height: bigint;
  readonly round: number;
  readonly digest: Uint8Array;
  /** The validator's 65-byte signature of `digest`, the seal that goes into the header. */
  readonly commitSeal: Uint8Array;
}

/** ROUND_CHANGE's signed payload: `[sequence, round, [preparedRound, digest] or []]`. */
export interface QbftRoundChangePayload {
  readonly type: "roundChange";
  readonly height: bigint;
  /** The round the author asks to move to. */
  readonly round: number;
  readonly prepared: QbftPreparedMetadata | undefined;
}

/** Any signed payload. */
export type QbftPayload =
  | QbftProposalPayload
  | QbftPreparePayload
  | QbftCommitPayload
  | QbftRoundChangePayload;

/**
 * A payload with its signature (Besu's `SignedData`): `RLP([payload, signature])`. The
 * author is not stored: it is recovered from `signingHash` and `signature` when needed, so a
 * justification's entries cost a recovery only once the cheap checks have passed.
 */
export interface QbftSigned<P extends QbftPayload> {
  readonly payload: P;
  /** 65 bytes: r ‖ s ‖ recovery id. */
  readonly signature: Uint8Array;
  /** keccak256(RLP([code, payload])): what the signature signs. */
  readonly signingHash: Uint8Array;
  /** `RLP([payload, signature])`, embedded as is when the message is relayed in a justification. */
  readonly encoded: Uint8Array;
}

/**
 * PROPOSAL: `[signedProposal, [[signedRoundChange…], [signedPrepare…]]]` (Besu's
 * `Proposal.encode`: both justification lists inside one list).
 */
export interface QbftProposalMessage {
  readonly type: "proposal";
  readonly signed: QbftSigned<QbftProposalPayload>;
  /** The round changes that justify a proposal at round > 0 (empty at round 0). */
  readonly roundChanges: readonly QbftSigned<QbftRoundChangePayload>[];
  /** The prepares of the highest prepared certificate among `roundChanges`, if any. */
  readonly prepares: readonly QbftSigned<QbftPreparePayload>[];
}

/** PREPARE: the signed payload itself. */
export interface QbftPrepareMessage {
  readonly type: "prepare";
  readonly signed: QbftSigned<QbftPreparePayload>;
}

/** COMMIT: the signed payload itself. */
export interface QbftCommitMessage {
  readonly type: "commit";
  readonly signed: QbftSigned<QbftCommitPayload>;
}

/**
 * ROUND_CHANGE: `[signedRoundChange, preparedBlock or [], [signedPrepare…]]` (Besu's
 * `RoundChange.encode` without the 26.1 block-access-list slot).
 */
export interface QbftRoundChangeMessage {
  readonly type: "roundChange";
  readonly signed: QbftSigned<QbftRoundChangePayload>;
  /** The prepared block at its prepared round, when the payload claims one. */
  readonly preparedBlock: QbftBlock | undefined;
  /** The quorum of prepares that certifies `preparedBlock`. */
  readonly prepares: readonly QbftSigned<QbftPreparePayload>[];
}

/** Any QBFT message. */
export type QbftMessage =
  | QbftProposalMessage
  | QbftPrepareMessage
  | QbftCommitMessage
  | QbftRoundChangeMessage;
