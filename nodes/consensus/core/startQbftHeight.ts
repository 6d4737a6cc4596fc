import { encodeQbftMessage } from "./encodeQbftMessage.ts";
import type { QbftSigner } from "./QbftCrypto.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftHead } from "./QbftEvent.ts";
import type { QbftMessage, QbftRoundChangeMessage } from "./QbftMessage.ts";
import type { QbftCore, ResumePoint } from "./QbftState.ts";
import type { QbftValidatorSet } from "./QbftValidatorSet.ts";
import { equalBytes } from "./qbftBytes.ts";
import { createHeightState, ownKey, roundMessages } from "./qbftHeightState.ts";
import { checkBehind, routeMessage } from "./qbftIntake.ts";
import { isOwnProposerRound, requestBlock, roundTimerMs } from "./qbftRounds.ts";
import { resend, signPayload } from "./qbftSigning.ts";

/** The round change recorded as sent, rebuilt (its certificate must still be the one held). */
function recordedRoundChange(
  core: QbftCore,
  resume: ResumePoint,
): QbftRoundChangeMessage | undefined {
  const height = core.height;
  const prepared = resume.record.roundChange?.prepared;
  const certificate = height.certificate;
  const signed = signPayload(core, {
    type: "roundChange",
    height: height.height,
    round: height.round,
    prepared,
  });
  if (prepared === undefined) {
    return { type: "roundChange", signed, preparedBlock: undefined, prepares: [] };
  }
  if (
    certificate === undefined ||
    certificate.round !== prepared.round ||
    !equalBytes(certificate.block.digest, prepared.digest)
  ) {
    return undefined;
  }
  return {
    type: "roundChange",
    signed,
    preparedBlock: certificate.block,
    prepares: certificate.prepares,
  };
}

/**
 * Resumes the height at the recorded round with what was signed there: the same messages are
 * re-signed (a deterministic signer gives the same bytes) and sent again — the crash may have
 * come between `persist` and the send — and count as this node's own; nothing conflicting
 * will be signed at this round.
 */
function resume(core: QbftCore, out: QbftEffect[], point: ResumePoint): void {
  const height = core.height;
  const { record } = point;
  height.round = record.round;
  height.own = {
    round: record.round,
    proposal: record.proposal,
    prepare: record.prepare,
    commit: record.commit,
    roundChange: record.roundChange,
  };
  height.certificate = point.certificate;
  out.push({
    type: "setRoundTimer",
    height: height.height,
    round: height.round,
    delayMs: roundTimerMs(core, height.round),
  });
  if (!height.voting) return;
  const messages: QbftMessage[] = [];
  const key = ownKey(core);
  const roundChange =
    record.roundChange === undefined ? undefined : recordedRoundChange(core, point);
  if (roundChange !== undefined) {
    messages.push(roundChange);
    height.roundChanges.set(key, {
      round: height.round,
      message: roundChange,
      bytes: encodeQbftMessage(roundChange),
    });
  }
  const base = { height: height.height, round: height.round };
  if (record.prepare !== undefined) {
    const signed = signPayload(core, { type: "prepare", ...base, digest: record.prepare });
    roundMessages(height, height.round).prepares.set(key, signed);
    messages.push({ type: "prepare", signed });
  }
  if (record.commit !== undefined) {
    const signer = core.config.signer as QbftSigner;
    const commitSeal = signer.sign(record.commit);
    const signed = signPayload(core, {
      type: "commit",
      ...base,
      digest: record.commit,
      commitSeal,
    });
    roundMessages(height, height.round).commits.set(key, {
      signed,
      author: signer.address,
      hash: undefined,
      sealValid: true,
    });
    messages.push({ type: "commit", signed });
  }
  resend(core, out, messages);
}

/**
 * Starts deciding the height above `head`: round 0 with the capped timer and, for the
 * proposer, a block request — or, when the signing record is for this height, the recorded
 * round and messages. Then the messages buffered for this height are replayed through
 * intake, and older buffered heights are forgotten.
 *
 * @example
 * ```ts
 * startQbftHeight(core, out, event.head, createQbftValidatorSet(event.validators));
 * ```
 */
export function startQbftHeight(
  core: QbftCore,
  out: QbftEffect[],
  head: QbftHead,
  validators: QbftValidatorSet,
): void {
  core.height = createHeightState(core, head, validators);
  const height = core.height;
  const point = core.pendingRecord;
  if (point !== undefined && point.record.height <= height.height) core.pendingRecord = undefined;
  if (point !== undefined && point.record.height === height.height) {
    resume(core, out, point);
  } else {
    out.push({
      type: "setRoundTimer",
      height: height.height,
      round: 0,
      delayMs: roundTimerMs(core, 0),
    });
  }
  if (height.round === 0 && isOwnProposerRound(core, 0)) requestBlock(core, out, []);
  for (const received of core.future.take(height.height)) routeMessage(core, out, received);
  checkBehind(core, out);
}
