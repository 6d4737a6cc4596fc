import type { QbftSigner } from "./QbftCrypto.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftEvent } from "./QbftEvent.ts";
import type { QbftCommitMessage, QbftPrepareMessage } from "./QbftMessage.ts";
import type { QbftReceived } from "./QbftReceived.ts";
import type { HeldProposal, QbftCore } from "./QbftState.ts";
import { equalBytes } from "./qbftBytes.ts";
import { drop, ownKey, roundMessages } from "./qbftHeightState.ts";
import { sendSigned, signPayload } from "./qbftSigning.ts";

/** Who made a commit seal; a throwing crypto port counts as an invalid seal. */
function recoverSealer(
  core: QbftCore,
  digest: Uint8Array,
  seal: Uint8Array,
): Uint8Array | undefined {
  try {
    return core.config.crypto.recoverAddress(digest, seal);
  } catch {
    return undefined;
  }
}

/** Entries of a map keyed by author, in author order (deterministic whatever the arrival). */
function byAuthor<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Emits `commit` once a quorum of commits with valid seals matches the round's proposal and
 * the proposal's block is known valid. Any held round counts, not only the current one: a
 * block a quorum committed at a round this node has left is still final.
 *
 * @example
 * ```ts
 * checkCommitted(core, out, round);
 * ```
 */
export function checkCommitted(core: QbftCore, out: QbftEffect[], round: number): void {
  const height = core.height;
  const messages = height.rounds.get(round);
  const proposal = messages?.proposal;
  if (messages === undefined || height.committed || proposal?.validity !== "valid") return;
  const commits = messages.commits;
  const seals: Uint8Array[] = [];
  for (const [key, commit] of byAuthor(commits)) {
    if (!equalBytes(commit.signed.payload.digest, proposal.block.digest)) continue;
    if (commit.sealValid === undefined) {
      const sealer = recoverSealer(core, proposal.block.digest, commit.signed.payload.commitSeal);
      commit.sealValid = sealer !== undefined && equalBytes(sealer, commit.author);
    }
    if (commit.sealValid) {
      seals.push(commit.signed.payload.commitSeal);
    } else {
      commits.delete(key);
      drop(out, "badCommitSeal", commit);
    }
  }
  if (seals.length < height.validators.quorum) return;
  height.committed = true;
  out.push({ type: "commit", block: proposal.block, seals });
}

/**
 * Takes the prepared certificate of the current round once a quorum of prepares matches its
 * valid proposal, and signs COMMIT with the commit seal (unless this node already committed
 * at this round).
 *
 * @example
 * ```ts
 * checkPrepared(core, out, round);
 * ```
 */
export function checkPrepared(core: QbftCore, out: QbftEffect[], round: number): void {
  const height = core.height;
  const messages = height.rounds.get(round);
  const proposal = messages?.proposal;
  if (messages === undefined || proposal?.validity !== "valid" || round !== height.round) return;
  if (height.committed || height.certificate?.round === round) return;
  const digest = proposal.block.digest;
  const matching = byAuthor(messages.prepares)
    .map(([, prepare]) => prepare)
    .filter((prepare) => equalBytes(prepare.payload.digest, digest));
  if (matching.length < height.validators.quorum) return;
  height.certificate = { round, block: proposal.block, prepares: matching };
  if (!height.voting || height.own.commit !== undefined) return;
  const signer = core.config.signer as QbftSigner;
  const signed = signPayload(core, {
    type: "commit",
    height: height.height,
    round,
    digest,
    commitSeal: signer.sign(digest),
  });
  height.own.commit = digest;
  messages.commits.set(ownKey(core), {
    signed,
    author: signer.address,
    hash: undefined,
    sealValid: true,
  });
  const commit: QbftCommitMessage = { type: "commit", signed };
  sendSigned(core, out, [commit]);
}

/**
 * Signs PREPARE for the current round's proposal, unless this node already prepared at this
 * round (the same digest was sent then; another one would conflict).
 *
 * @example
 * ```ts
 * sendPrepare(core, out, round);
 * ```
 */
function sendPrepare(core: QbftCore, out: QbftEffect[], round: number): void {
  const height = core.height;
  const proposal = height.rounds.get(round)?.proposal;
  if (!height.voting || round !== height.round || height.committed) return;
  if (proposal === undefined || height.own.prepare !== undefined) return;
  const digest = proposal.block.digest;
  const signed = signPayload(core, { type: "prepare", height: height.height, round, digest });
  height.own.prepare = digest;
  roundMessages(height, round).prepares.set(ownKey(core), signed);
  const prepare: QbftPrepareMessage = { type: "prepare", signed };
  sendSigned(core, out, [prepare]);
}

/**
 * What follows once a proposal's block is known valid: prepare it, then see whether the
 * round is prepared or committed already (its prepares and commits may have come first).
 *
 * @example
 * ```ts
 * proposal.validity = "valid";
 * afterValidProposal(core, out, round);
 * ```
 */
export function afterValidProposal(core: QbftCore, out: QbftEffect[], round: number): void {
  sendPrepare(core, out, round);
  checkPrepared(core, out, round);
  checkCommitted(core, out, round);
}

/**
 * Holds an accepted proposal for `round` and asks the driver to execute its block (or goes
 * on at once for a block this node built).
 *
 * @example
 * ```ts
 * acceptProposal(core, out, round, { block, author, hash, validity: "pending" });
 * ```
 */
export function acceptProposal(
  core: QbftCore,
  out: QbftEffect[],
  round: number,
  proposal: HeldProposal,
): void {
  roundMessages(core.height, round).proposal = proposal;
  if (proposal.validity === "valid") afterValidProposal(core, out, round);
  else out.push({ type: "validateBlock", block: proposal.block });
}

/**
 * The driver's verdict on a proposed block: a valid one is prepared; an invalid one is
 * dropped (its proposer misbehaved) and the round waits for its timeout.
 *
 * @example
 * ```ts
 * onBlockValidated(core, out, { type: "blockValidated", height, digest, valid: true });
 * ```
 */
export function onBlockValidated(
  core: QbftCore,
  out: QbftEffect[],
  event: Extract<QbftEvent, { type: "blockValidated" }>,
): void {
  const height = core.height;
  if (event.height !== height.height) return;
  for (const [round, messages] of height.rounds) {
    const proposal = messages.proposal;
    if (proposal?.validity !== "pending" || !equalBytes(proposal.block.digest, event.digest)) {
      continue;
    }
    if (event.valid) {
      proposal.validity = "valid";
      afterValidProposal(core, out, round);
    } else {
      proposal.validity = "invalid";
      drop(out, "invalidBlock", { author: proposal.author, hash: proposal.hash });
    }
    return;
  }
}

/**
 * A validator's PREPARE of this height: held for its round (current or ahead within the
 * window), counted toward the current round's certificate.
 *
 * @example
 * ```ts
 * handlePrepare(core, out, received);
 * ```
 */
export function handlePrepare(core: QbftCore, out: QbftEffect[], received: QbftReceived): void {
  const height = core.height;
  const { signed } = received.message as QbftPrepareMessage;
  const round = signed.payload.round;
  if (height.committed) {
    drop(out, "heightCommitted", received);
    return;
  }
  if (round < height.round) {
    drop(out, "pastRound", received);
    return;
  }
  if (round > height.round + core.config.bounds.roundWindow) {
    drop(out, "roundTooFar", received);
    return;
  }
  const messages = roundMessages(height, round);
  if (messages.prepares.has(received.authorKey)) {
    drop(out, "duplicate", received);
    return;
  }
  messages.prepares.set(received.authorKey, signed);
  checkPrepared(core, out, round);
}

/**
 * A validator's COMMIT of this height: held for its round (within the window either side),
 * counted toward the round's commit quorum.
 *
 * @example
 * ```ts
 * handleCommit(core, out, received);
 * ```
 */
export function handleCommit(core: QbftCore, out: QbftEffect[], received: QbftReceived): void {
  const height = core.height;
  const { signed } = received.message as QbftCommitMessage;
  const round = signed.payload.round;
  const window = core.config.bounds.roundWindow;
  if (height.committed) {
    drop(out, "heightCommitted", received);
    return;
  }
  if (round < height.round - window) {
    drop(out, "pastRound", received);
    return;
  }
  if (round > height.round + window) {
    drop(out, "roundTooFar", received);
    return;
  }
  const messages = roundMessages(height, round);
  if (messages.commits.has(received.authorKey)) {
    drop(out, "duplicate", received);
    return;
  }
  messages.commits.set(received.authorKey, {
    signed,
    author: received.author,
    hash: received.hash,
    sealValid: undefined,
  });
  checkCommitted(core, out, round);
}
