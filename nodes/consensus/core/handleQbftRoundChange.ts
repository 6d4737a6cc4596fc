import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftRoundChangeMessage } from "./QbftMessage.ts";
import type { QbftReceived } from "./QbftReceived.ts";
import type { QbftCore } from "./QbftState.ts";
import { equalBytes } from "./qbftBytes.ts";
import { drop, ownKey } from "./qbftHeightState.ts";
import { afterRoundChanges } from "./qbftRounds.ts";
import { resend } from "./qbftSigning.ts";
import { validateQbftRoundChange } from "./validateQbftRoundChange.ts";

/**
 * A validator's ROUND_CHANGE of this height. Only its latest (highest) round change counts,
 * which bounds what a validator can make the node hold to one per validator. One for a round
 * the node has left means its author lags: the node re-sends its own current round change to
 * it (once per author and round) so the round-skip rule can bring it along. A valid one for
 * the current or a later round is held, then the round-skip rule and the proposer's quorum
 * rule run.
 *
 * @example
 * ```ts
 * handleQbftRoundChange(core, out, received);
 * ```
 */
export function handleQbftRoundChange(
  core: QbftCore,
  out: QbftEffect[],
  received: QbftReceived,
): void {
  const height = core.height;
  const message = received.message as QbftRoundChangeMessage;
  const round = message.signed.payload.round;
  if (height.committed) {
    drop(out, "heightCommitted", received);
    return;
  }
  const held = height.roundChanges.get(received.authorKey);
  if (held !== undefined && held.round > round) {
    drop(out, "staleRoundChange", received);
    return;
  }
  if (held !== undefined && held.round === round) {
    if (equalBytes(held.message.signed.signingHash, message.signed.signingHash)) {
      drop(out, "duplicate", received);
      return;
    }
    out.push({
      type: "evidence",
      validator: received.author,
      height: height.height,
      round,
      messageType: "roundChange",
      first: held.bytes,
      second: received.bytes,
    });
    drop(out, "equivocation", received);
    return;
  }
  if (round < height.round) {
    drop(out, "pastRound", received);
    const own = height.voting ? height.roundChanges.get(ownKey(core)) : undefined;
    if (own?.round === height.round && !height.resentTo.has(received.authorKey)) {
      height.resentTo.add(received.authorKey);
      resend(core, out, [own.message]);
    }
    return;
  }
  const reason = validateQbftRoundChange(message, height);
  if (reason !== undefined) {
    drop(out, reason, received);
    return;
  }
  height.roundChanges.set(received.authorKey, { round, message, bytes: received.bytes });
  afterRoundChanges(core, out);
}
