import { CustosError } from "../../../src/errors/index.ts";
import { encodeQbftMessage } from "./encodeQbftMessage.ts";
import type { QbftBlock } from "./QbftBlock.ts";
import type { QbftSigner } from "./QbftCrypto.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftEvent } from "./QbftEvent.ts";
import { qbftProposerOf } from "./QbftHeightContext.ts";
import type {
  QbftMessage,
  QbftPreparePayload,
  QbftRoundChangeMessage,
  QbftRoundChangePayload,
  QbftSigned,
} from "./QbftMessage.ts";
import type { QbftCore } from "./QbftState.ts";
import { bytesKey, equalBytes } from "./qbftBytes.ts";
import { ownKey, roundMessages } from "./qbftHeightState.ts";
import { qbftRoundSkipTarget } from "./qbftRoundSkipTarget.ts";
import { qbftRoundTimeoutMs } from "./qbftRoundTimeout.ts";
import { resend, sendSigned, signPayload } from "./qbftSigning.ts";
import { acceptProposal } from "./qbftVotes.ts";

/**
 * The timer of `round` at the current height: the capped doubling timeout, or the short
 * `absentProposerMs` when the round's proposer let its last turn pass without a proposal
 * (so a validator that is down does not cost a full timeout at each of its turns).
 *
 * @example
 * ```ts
 * out.push({ type: "setRoundTimer", height: height.height, round, delayMs: roundTimerMs(core, round) });
 * ```
 */
export function roundTimerMs(core: QbftCore, round: number): number {
  const settings = core.config.roundTimeout;
  const usual = qbftRoundTimeoutMs(round, settings);
  const proposer = bytesKey(qbftProposerOf(core.height, round));
  return core.absentProposers.has(proposer) ? Math.min(usual, settings.absentProposerMs) : usual;
}

/**
 * Whether this node proposes `round` of the current height (and may sign).
 *
 * @example
 * ```ts
 * if (isOwnProposerRound(core, 0)) requestBlock(core, out, []);
 * ```
 */
export function isOwnProposerRound(core: QbftCore, round: number): boolean {
  const height = core.height;
  const signer = core.config.signer;
  return (
    height.voting &&
    signer !== undefined &&
    equalBytes(qbftProposerOf(height, round), signer.address)
  );
}

/**
 * Asks the driver for a new block for the current round, to be proposed with
 * `roundChanges` as justification (none at round 0) once `blockBuilt` comes back. Nothing
 * when this node already proposed at this round (before a restart).
 *
 * @example
 * ```ts
 * requestBlock(core, out, []);
 * ```
 */
export function requestBlock(
  core: QbftCore,
  out: QbftEffect[],
  roundChanges: readonly QbftSigned<QbftRoundChangePayload>[],
): void {
  const height = core.height;
  if (height.own.proposal !== undefined) return;
  height.pendingBuild = { round: height.round, roundChanges };
  out.push({
    type: "buildBlock",
    height: height.height,
    round: height.round,
    parentHash: height.parentHash,
  });
}

/**
 * Signs and sends PROPOSAL for the current round. A block this node built is prepared with
 * it at once (one `persist` for both); a prepared block proposed again is executed by the
 * driver first, like any received proposal.
 */
function propose(
  core: QbftCore,
  out: QbftEffect[],
  block: QbftBlock,
  justification: {
    readonly roundChanges: readonly QbftSigned<QbftRoundChangePayload>[];
    readonly prepares: readonly QbftSigned<QbftPreparePayload>[];
  },
  built: boolean,
): void {
  const height = core.height;
  const round = height.round;
  const signer = core.config.signer as QbftSigner;
  const signed = signPayload(core, { type: "proposal", height: height.height, round, block });
  height.own.proposal = block.digest;
  const messages: QbftMessage[] = [{ type: "proposal", signed, ...justification }];
  const prepare =
    built && height.own.prepare === undefined
      ? signPayload(core, { type: "prepare", height: height.height, round, digest: block.digest })
      : undefined;
  if (prepare !== undefined) {
    height.own.prepare = block.digest;
    messages.push({ type: "prepare", signed: prepare });
  }
  sendSigned(core, out, messages);
  if (prepare !== undefined) roundMessages(height, round).prepares.set(ownKey(core), prepare);
  acceptProposal(core, out, round, {
    block,
    author: signer.address,
    hash: undefined,
    validity: built ? "valid" : "pending",
  });
}

/**
 * The driver built the block asked for: propose it if the node is still at that round.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` when the block is not for the height and
 *   round asked for, not on the parent asked for, or names another proposer.
 * @example
 * ```ts
 * onBlockBuilt(core, out, { type: "blockBuilt", height, round, block });
 * ```
 */
export function onBlockBuilt(
  core: QbftCore,
  out: QbftEffect[],
  event: Extract<QbftEvent, { type: "blockBuilt" }>,
): void {
  const height = core.height;
  const pending = height.pendingBuild;
  if (event.height !== height.height || pending?.round !== event.round) return;
  if (event.round !== height.round || height.committed) return;
  const { block } = event;
  const signer = core.config.signer as QbftSigner;
  if (
    block.height !== height.height ||
    block.round !== height.round ||
    !equalBytes(block.parentHash, height.parentHash) ||
    !equalBytes(block.proposer, signer.address)
  ) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", "the built block is not the one asked for", {
      details: { field: "block", height: event.height, round: event.round },
    });
  }
  height.pendingBuild = undefined;
  propose(core, out, block, { roundChanges: pending.roundChanges, prepares: [] }, true);
}

/**
 * As the proposer of the current round r > 0 with round changes for r from a quorum:
 * propose the highest prepared block among them put to round r, with that certificate's
 * prepares, or ask for a new block when none prepared (Besu's `startRoundWith`).
 *
 * @example
 * ```ts
 * tryPropose(core, out);
 * ```
 */
export function tryPropose(core: QbftCore, out: QbftEffect[]): void {
  const height = core.height;
  const round = height.round;
  if (round === 0 || height.committed || !isOwnProposerRound(core, round)) return;
  if (height.own.proposal !== undefined || height.pendingBuild?.round === round) return;
  if (height.rounds.get(round)?.proposal !== undefined) return;
  const justifying = [...height.roundChanges]
    .filter(([, held]) => held.round === round)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, held]) => held.message);
  if (justifying.length < height.validators.quorum) return;
  let best: QbftRoundChangeMessage | undefined;
  for (const message of justifying) {
    const prepared = message.signed.payload.prepared;
    const bestRound = best?.signed.payload.prepared?.round ?? -1;
    if (prepared !== undefined && prepared.round > bestRound) best = message;
  }
  const roundChanges = justifying.map((message) => message.signed);
  if (best?.preparedBlock === undefined) {
    requestBlock(core, out, roundChanges);
    return;
  }
  const block = best.preparedBlock.withRound(round);
  propose(core, out, block, { roundChanges, prepares: best.prepares }, false);
}

/**
 * Signs and sends ROUND_CHANGE for the current round, carrying the prepared certificate if
 * the node holds one, and counts it as its own.
 */
function sendRoundChange(core: QbftCore, out: QbftEffect[]): void {
  const height = core.height;
  const certificate = height.certificate;
  const prepared =
    certificate === undefined
      ? undefined
      : { round: certificate.round, digest: certificate.block.digest };
  const signed = signPayload(core, {
    type: "roundChange",
    height: height.height,
    round: height.round,
    prepared,
  });
  const message: QbftRoundChangeMessage = {
    type: "roundChange",
    signed,
    preparedBlock: certificate?.block,
    prepares: certificate?.prepares ?? [],
  };
  height.own.roundChange = { prepared };
  sendSigned(core, out, [message]);
  height.roundChanges.set(ownKey(core), {
    round: height.round,
    message,
    bytes: encodeQbftMessage(message),
  });
}

/**
 * How many validators are known to be at `round` of this height or beyond: those whose
 * latest round change asks for `round` or more, and this node itself when it votes.
 */
function reachedRound(core: QbftCore, round: number): number {
  const height = core.height;
  const own = height.voting ? ownKey(core) : undefined;
  let count = own === undefined ? 0 : 1;
  for (const [key, held] of height.roundChanges) if (key !== own && held.round >= round) count++;
  return count;
}

/**
 * Restarts the round timer once a quorum is known to be at the current round (above 0,
 * once per round), so that the validators of that quorum time out together however far
 * apart they entered the round: with capped timeouts nothing else lines their rounds up,
 * and a round whose members leave at different times may never hold a quorum long enough
 * to commit.
 */
function alignRoundTimer(core: QbftCore, out: QbftEffect[]): void {
  const height = core.height;
  if (height.aligned || height.round === 0) return;
  if (reachedRound(core, height.round) < height.validators.quorum) return;
  height.aligned = true;
  out.push({
    type: "setRoundTimer",
    height: height.height,
    round: height.round,
    delayMs: roundTimerMs(core, height.round),
  });
}

/**
 * Moves to a higher round of the current height: forgets what is outside the round window,
 * restarts the timer with the capped timeout, and (on a timeout or the round-skip rule)
 * signs a round change.
 *
 * @example
 * ```ts
 * moveToRound(core, out, height.round + 1, true);
 * ```
 */
export function moveToRound(
  core: QbftCore,
  out: QbftEffect[],
  target: number,
  sendChange: boolean,
): void {
  const height = core.height;
  const window = core.config.bounds.roundWindow;
  height.round = target;
  height.own = {
    round: target,
    proposal: undefined,
    prepare: undefined,
    commit: undefined,
    roundChange: undefined,
  };
  height.pendingBuild = undefined;
  height.resentTo.clear();
  for (const round of height.rounds.keys()) {
    if (round < target - window) height.rounds.delete(round);
  }
  for (const [key, first] of height.firstSeen) {
    if (first.round < target - window) height.firstSeen.delete(key);
  }
  out.push({
    type: "setRoundTimer",
    height: height.height,
    round: target,
    delayMs: roundTimerMs(core, target),
  });
  if (sendChange && height.voting) sendRoundChange(core, out);
  height.aligned = reachedRound(core, target) >= height.validators.quorum;
}

/**
 * After the round changes held changed: apply the f + 1 round-skip rule
 * ({@link qbftRoundSkipTarget}), restart the round's timer if a quorum is now known to be at
 * the round ({@link alignRoundTimer}), then propose if this node leads the round and has a
 * quorum.
 *
 * @example
 * ```ts
 * afterRoundChanges(core, out);
 * ```
 */
export function afterRoundChanges(core: QbftCore, out: QbftEffect[]): void {
  const height = core.height;
  if (height.committed) return;
  const asked = [...height.roundChanges.values()].map((held) => held.round);
  const target = qbftRoundSkipTarget(height.round, asked, height.validators.maxFaulty);
  if (target !== undefined) moveToRound(core, out, target, true);
  alignRoundTimer(core, out);
  tryPropose(core, out);
}

/**
 * The round timer fired: if it is the live one, move to the next round and send a round
 * change — and so on at every expiry, which keeps round changes flowing until a round
 * completes (what lets a network that lost quorum recover once a partition heals). A round
 * that ends without a proposal marks its proposer absent (see {@link roundTimerMs}).
 *
 * Except above round 0, when this node asked for the round itself (a round entered on a
 * proposal had a quorum's round changes behind it) and fewer than a quorum are known to be
 * at the round or beyond: the node then stays, re-sends its round change (no new signature)
 * and waits another usual timeout. With capped timeouts every validator climbs at one pace,
 * so one that ran ahead alone (the others down or cut off) would stay ahead for good: the
 * round-skip rule needs f + 1 ahead to lift the others, and none of its rounds would ever
 * hold a quorum. Staying keeps every validator within one round of a round a quorum reached.
 *
 * @example
 * ```ts
 * onRoundTimeout(core, out, { type: "roundTimeout", height, round });
 * ```
 */
export function onRoundTimeout(
  core: QbftCore,
  out: QbftEffect[],
  event: Extract<QbftEvent, { type: "roundTimeout" }>,
): void {
  const height = core.height;
  if (event.height !== height.height || event.round !== height.round || height.committed) return;
  const proposer = qbftProposerOf(height, height.round);
  const own = core.config.signer?.address;
  if (
    height.rounds.get(height.round)?.proposal === undefined &&
    (own === undefined || !equalBytes(own, proposer))
  ) {
    core.absentProposers.add(bytesKey(proposer));
  }
  const sent = height.voting ? height.roundChanges.get(ownKey(core)) : undefined;
  if (sent?.round === height.round && reachedRound(core, height.round) < height.validators.quorum) {
    out.push({
      type: "setRoundTimer",
      height: height.height,
      round: height.round,
      delayMs: qbftRoundTimeoutMs(height.round, core.config.roundTimeout),
    });
    resend(core, out, [sent.message]);
    return;
  }
  moveToRound(core, out, height.round + 1, true);
  afterRoundChanges(core, out);
}
