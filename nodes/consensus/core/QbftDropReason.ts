import type { QbftDecodeRejection } from "./decodeQbftMessage.ts";
import type { QbftInvalidReason } from "./QbftInvalidReason.ts";

/** Why intake dropped a message (a `dropped` effect). */
export type QbftDropReason =
  | QbftDecodeRejection
  | QbftInvalidReason
  /** Its bytes' hash was seen recently. */
  | "duplicate"
  /** For a height this node has already decided. */
  | "pastHeight"
  /** For a future height whose buffer is full (the newest of the heaviest author goes). */
  | "futureBufferFull"
  /** A buffered future-height message pushed out by a nearer one. */
  | "evicted"
  /** Signed by an address outside the height's validator set. */
  | "notValidator"
  /** For a round this node has left. */
  | "pastRound"
  /** A prepare or commit for a round beyond the held window. */
  | "roundTooFar"
  /** Arrived after this node committed the height (while it imports the block). */
  | "heightCommitted"
  /** A round change for a lower round than the one its author already asked for. */
  | "staleRoundChange"
  /** A second, different signed payload of one validator for one (height, round, type). */
  | "equivocation"
  /** A commit whose seal was not made by its author over the digest. */
  | "badCommitSeal"
  /** A proposal whose block the driver found invalid on execution. */
  | "invalidBlock";

/**
 * Whether a drop reason shows misbehaviour (or a broken peer), so that the driver scores the
 * peer down; the others happen between honest nodes (late, repeated or early messages).
 *
 * @example
 * ```ts
 * if (qbftDropIsFault[effect.reason]) peers.penalise(peer);
 * ```
 */
export const qbftDropIsFault: Readonly<Record<QbftDropReason, boolean>> = Object.freeze({
  oversized: true,
  unknownCode: true,
  malformed: true,
  badBlock: true,
  tooManyJustifications: true,
  badSignature: true,
  wrongProposer: true,
  blockMismatch: true,
  badRoundChanges: true,
  badPrepares: true,
  preparedBlockMismatch: true,
  badRoundChange: true,
  duplicate: false,
  pastHeight: false,
  futureBufferFull: false,
  evicted: false,
  notValidator: true,
  pastRound: false,
  roundTooFar: false,
  heightCommitted: false,
  staleRoundChange: false,
  equivocation: true,
  badCommitSeal: true,
  invalidBlock: true,
});
