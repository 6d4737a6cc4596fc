import { decodeQbftMessage } from "./decodeQbftMessage.ts";
import { handleQbftProposal } from "./handleQbftProposal.ts";
import { handleQbftRoundChange } from "./handleQbftRoundChange.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftReceived } from "./QbftReceived.ts";
import type { QbftCore } from "./QbftState.ts";
import { bytesKey, equalBytes } from "./qbftBytes.ts";
import { drop } from "./qbftHeightState.ts";
import { handleCommit, handlePrepare } from "./qbftVotes.ts";

/**
 * Raises `behind` when f + 1 validators of the current set (so at least one honest) have
 * sent messages for heights at or above some height H above the current one, while this
 * node has not committed its height: block H − 1 exists and this node lacks it.
 *
 * @example
 * ```ts
 * checkBehind(core, out);
 * ```
 */
export function checkBehind(core: QbftCore, out: QbftEffect[]): void {
  const height = core.height;
  if (height.committed) return;
  const needed = height.validators.maxFaulty + 1;
  const authors = new Set<string>();
  for (const [future, messages] of core.future.heightsDescending()) {
    for (const message of messages) {
      if (height.validators.keys.has(message.authorKey)) authors.add(message.authorKey);
    }
    if (authors.size < needed) continue;
    if (future > core.behindAnnounced) {
      core.behindAnnounced = future;
      out.push({ type: "behind", height: future });
    }
    return;
  }
}

/**
 * A decoded message of the current height: its author must be a validator of the height;
 * a second, different signed payload of one validator for one (type, round) is evidence;
 * then the message goes to its type's handler.
 *
 * @example
 * ```ts
 * for (const received of core.future.take(height)) routeMessage(core, out, received);
 * ```
 */
export function routeMessage(core: QbftCore, out: QbftEffect[], received: QbftReceived): void {
  const height = core.height;
  const { message, authorKey } = received;
  if (!height.validators.keys.has(authorKey)) {
    drop(out, "notValidator", received);
    return;
  }
  const round = message.signed.payload.round;
  if (
    message.type !== "roundChange" &&
    Math.abs(round - height.round) <= core.config.bounds.roundWindow
  ) {
    const key = `${message.type}:${round}:${authorKey}`;
    const first = height.firstSeen.get(key);
    if (first === undefined) {
      height.firstSeen.set(key, {
        round,
        signingHash: message.signed.signingHash,
        bytes: received.bytes,
      });
    } else if (!equalBytes(first.signingHash, message.signed.signingHash)) {
      if (!height.evidenced.has(key)) {
        height.evidenced.add(key);
        out.push({
          type: "evidence",
          validator: received.author,
          height: height.height,
          round,
          messageType: message.type,
          first: first.bytes,
          second: received.bytes,
        });
      }
      drop(out, "equivocation", received);
      return;
    }
  }
  switch (message.type) {
    case "proposal":
      handleQbftProposal(core, out, received);
      return;
    case "prepare":
      handlePrepare(core, out, received);
      return;
    case "commit":
      handleCommit(core, out, received);
      return;
    case "roundChange":
      handleQbftRoundChange(core, out, received);
      return;
  }
}

/**
 * Network bytes, in Besu-informed intake order: size → keccak of the bytes → drop a
 * duplicate by that hash (before any signature recovery) → decode and recover the author →
 * drop a past height → buffer a future height (bounded) → {@link routeMessage}.
 *
 * @example
 * ```ts
 * onMessage(core, out, event.bytes);
 * ```
 */
export function onMessage(core: QbftCore, out: QbftEffect[], bytes: Uint8Array): void {
  const { config } = core;
  if (bytes.length > config.bounds.maxMessageBytes) {
    drop(out, "oversized");
    return;
  }
  const hash = config.crypto.keccak256(bytes);
  if (!core.seen.add(bytesKey(hash))) {
    drop(out, "duplicate", { author: undefined, hash });
    return;
  }
  const decoded = decodeQbftMessage(bytes, config.codec, config.crypto, config.bounds);
  if (!decoded.ok) {
    drop(out, decoded.reason, { author: undefined, hash });
    return;
  }
  const received: QbftReceived = {
    message: decoded.message,
    author: decoded.author,
    authorKey: bytesKey(decoded.author),
    hash,
    bytes,
  };
  const messageHeight = decoded.message.signed.payload.height;
  if (messageHeight < core.height.height) {
    drop(out, "pastHeight", received);
    return;
  }
  if (messageHeight === core.height.height) {
    routeMessage(core, out, received);
    return;
  }
  for (const victim of core.future.add(received)) {
    drop(out, victim === received ? "futureBufferFull" : "evicted", victim);
  }
  checkBehind(core, out);
}
