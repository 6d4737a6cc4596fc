import { checkQbftPrepares } from "./checkQbftPrepares.ts";
import { type QbftHeightContext, qbftProposerOf } from "./QbftHeightContext.ts";
import type { QbftInvalidReason } from "./QbftInvalidReason.ts";
import type {
  QbftPreparedMetadata,
  QbftProposalMessage,
  QbftRoundChangePayload,
  QbftSigned,
} from "./QbftMessage.ts";
import { bytesKey, equalBytes } from "./qbftBytes.ts";
import { recoverQbftAuthor } from "./recoverQbftAuthor.ts";

/**
 * The highest prepared claim among a proposal's round changes, undefined when none claims
 * one, or false when the round changes do not justify `round`.
 */
function highestPrepared(
  roundChanges: readonly QbftSigned<QbftRoundChangePayload>[],
  context: QbftHeightContext,
  round: number,
): QbftPreparedMetadata | undefined | false {
  const { validators } = context;
  if (
    roundChanges.length < validators.quorum ||
    roundChanges.length > validators.addresses.length
  ) {
    return false;
  }
  const claims = new Map<number, Uint8Array>();
  let best: QbftPreparedMetadata | undefined;
  for (const { payload } of roundChanges) {
    if (payload.height !== context.height || payload.round !== round) return false;
    const prepared = payload.prepared;
    if (prepared === undefined) continue;
    if (prepared.round >= round) return false;
    // Besu's metadataIsConsistentAcrossRoundChanges: one digest per prepared round.
    const claimed = claims.get(prepared.round);
    if (claimed !== undefined && !equalBytes(claimed, prepared.digest)) return false;
    claims.set(prepared.round, prepared.digest);
    if (best === undefined || prepared.round > best.round) best = prepared;
  }
  const authors = new Set<string>();
  for (const roundChange of roundChanges) {
    const author = recoverQbftAuthor(roundChange, context.crypto);
    if (author === undefined) return false;
    const key = bytesKey(author);
    if (!validators.keys.has(key) || authors.has(key)) return false;
    authors.add(key);
  }
  return best;
}

/** The proposed block's digest at another round; a block adapter that throws matches nothing. */
function digestAtRound(message: QbftProposalMessage, round: number): Uint8Array {
  try {
    return message.signed.payload.block.withRound(round).digest;
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * Checks a PROPOSAL of the context's height signed by `author` (Besu's ProposalValidator and
 * ProposalPayloadValidator; the spec's `isValidProposal`/`isProposalJustification`), all but
 * the block's execution, which the driver does next:
 *
 * - the author is the round's proposer; the block is of this height and parent, at the
 *   proposal's round;
 * - round 0: no round changes and no prepares, and the block names the author as proposer;
 * - round r > 0: a quorum (at most n) of round changes for (height, r) from distinct
 *   validators, every prepared round below r and one digest per prepared round. If none
 *   claims a prepared block, no prepares and a new block naming the author; otherwise the
 *   block put back to the highest claimed prepared round (`withRound`) has the claimed digest
 *   — the prepared block proposed again, keeping its original proposer field, as Besu's
 *   `replaceRoundAndProposerForProposalBlock` does — and the prepares certify that claim.
 *
 * @example
 * ```ts
 * const reason = validateQbftProposal(message, author, context);
 * if (reason === undefined) validateBlock(message.signed.payload.block);
 * ```
 */
export function validateQbftProposal(
  message: QbftProposalMessage,
  author: Uint8Array,
  context: QbftHeightContext,
): QbftInvalidReason | undefined {
  const { block, round, height } = message.signed.payload;
  if (!equalBytes(author, qbftProposerOf(context, round))) return "wrongProposer";
  if (
    height !== context.height ||
    block.height !== height ||
    block.round !== round ||
    !equalBytes(block.parentHash, context.parentHash)
  ) {
    return "blockMismatch";
  }
  if (round === 0 && message.roundChanges.length > 0) return "badRoundChanges";
  const best = round === 0 ? undefined : highestPrepared(message.roundChanges, context, round);
  if (best === false) return "badRoundChanges";
  if (best === undefined) {
    if (message.prepares.length > 0) return "badPrepares";
    return equalBytes(block.proposer, author) ? undefined : "blockMismatch";
  }
  if (!equalBytes(digestAtRound(message, best.round), best.digest)) return "preparedBlockMismatch";
  return checkQbftPrepares(message.prepares, context, best.round, best.digest)
    ? undefined
    : "badPrepares";
}
