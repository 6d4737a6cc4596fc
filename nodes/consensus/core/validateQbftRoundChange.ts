import { checkQbftPrepares } from "./checkQbftPrepares.ts";
import type { QbftHeightContext } from "./QbftHeightContext.ts";
import type { QbftInvalidReason } from "./QbftInvalidReason.ts";
import type { QbftRoundChangeMessage } from "./QbftMessage.ts";
import { equalBytes } from "./qbftBytes.ts";

/**
 * Checks a ROUND_CHANGE of the context's height, already known to be signed by a validator
 * (Besu's RoundChangeMessageValidator and RoundChangePayloadValidator; the spec's
 * `validRoundChange`): its round is above 0; a prepared claim comes with the prepared block
 * and the prepared block with a claim; the claim's round is below the round; the block is of
 * this height and parent, at the prepared round, with the claimed digest; and its prepares
 * certify it. Besu also re-executes the block here; Custos executes a block only when it is
 * proposed again (the proposal is validated then).
 *
 * @example
 * ```ts
 * const reason = validateQbftRoundChange(message, context);
 * if (reason !== undefined) drop(reason);
 * ```
 */
export function validateQbftRoundChange(
  message: QbftRoundChangeMessage,
  context: QbftHeightContext,
): QbftInvalidReason | undefined {
  const { payload } = message.signed;
  const block = message.preparedBlock;
  const prepared = payload.prepared;
  if (payload.round < 1) return "badRoundChange";
  if (prepared === undefined || block === undefined) {
    if (prepared !== undefined || block !== undefined) return "badRoundChange";
    return message.prepares.length === 0 ? undefined : "badPrepares";
  }
  if (prepared.round >= payload.round) return "badRoundChange";
  if (
    block.height !== context.height ||
    block.round !== prepared.round ||
    !equalBytes(block.parentHash, context.parentHash) ||
    !equalBytes(block.digest, prepared.digest)
  ) {
    return "blockMismatch";
  }
  return checkQbftPrepares(message.prepares, context, prepared.round, prepared.digest)
    ? undefined
    : "badPrepares";
}
