import type { QbftEffect } from "./QbftEffect.ts";
import { qbftProposerOf } from "./QbftHeightContext.ts";
import type { QbftProposalMessage } from "./QbftMessage.ts";
import type { QbftReceived } from "./QbftReceived.ts";
import type { QbftCore } from "./QbftState.ts";
import { equalBytes } from "./qbftBytes.ts";
import { drop } from "./qbftHeightState.ts";
import { moveToRound } from "./qbftRounds.ts";
import { acceptProposal } from "./qbftVotes.ts";
import { validateQbftProposal } from "./validateQbftProposal.ts";

/**
 * A validator's PROPOSAL of this height: the first valid one for the current round, or one
 * for a later round — its justification (a quorum of round changes for that round) is proof
 * enough to move there at once, as Besu's `handleProposalPayload` does for a future round.
 * Its block then goes to the driver for execution.
 *
 * @example
 * ```ts
 * handleQbftProposal(core, out, received);
 * ```
 */
export function handleQbftProposal(
  core: QbftCore,
  out: QbftEffect[],
  received: QbftReceived,
): void {
  const height = core.height;
  const message = received.message as QbftProposalMessage;
  const round = message.signed.payload.round;
  // A signed proposal from the round's proposer, even a late one, shows it is up.
  if (equalBytes(received.author, qbftProposerOf(height, round))) {
    core.absentProposers.delete(received.authorKey);
  }
  if (height.committed) {
    drop(out, "heightCommitted", received);
    return;
  }
  if (round < height.round) {
    drop(out, "pastRound", received);
    return;
  }
  if (height.rounds.get(round)?.proposal !== undefined) {
    drop(out, "duplicate", received);
    return;
  }
  const reason = validateQbftProposal(message, received.author, height);
  if (reason !== undefined) {
    drop(out, reason, received);
    return;
  }
  if (round > height.round) moveToRound(core, out, round, false);
  acceptProposal(core, out, round, {
    block: message.signed.payload.block,
    author: received.author,
    hash: received.hash,
    validity: "pending",
  });
}
