import { encodeQbftMessage } from "./encodeQbftMessage.ts";
import type { QbftSigner } from "./QbftCrypto.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftMessage, QbftPayload, QbftSigned } from "./QbftMessage.ts";
import type { QbftSigningRecord } from "./QbftSigningRecord.ts";
import type { HeightState, QbftCore } from "./QbftState.ts";
import { bytesKey } from "./qbftBytes.ts";
import { signQbftPayload } from "./signQbftPayload.ts";

/**
 * The durable record of what this node signed at the current height and round, and its
 * prepared certificate.
 *
 * @example
 * ```ts
 * out.push({ type: "persist", record: signingRecord(core.height) });
 * ```
 */
export function signingRecord(height: HeightState): QbftSigningRecord {
  const { own, certificate } = height;
  return {
    height: height.height,
    round: own.round,
    proposal: own.proposal,
    prepare: own.prepare,
    commit: own.commit,
    roundChange: own.roundChange,
    certificate:
      certificate === undefined
        ? undefined
        : {
            round: certificate.round,
            block: certificate.block.encoded,
            prepares: certificate.prepares.map((prepare) => prepare.encoded),
          },
  };
}

/**
 * Signs `payload` with this node's key (only called where the node votes).
 *
 * @example
 * ```ts
 * const signed = signPayload(core, { type: "prepare", height, round, digest });
 * ```
 */
export function signPayload<P extends QbftPayload>(core: QbftCore, payload: P): QbftSigned<P> {
  return signQbftPayload(payload, core.config.signer as QbftSigner, core.config.crypto);
}

/**
 * Sends messages without a new record: they were signed before and the record that names
 * them is already durable (a restart, or a round change re-sent to a lagging validator).
 *
 * @example
 * ```ts
 * resend(core, out, [prepare]);
 * ```
 */
export function resend(core: QbftCore, out: QbftEffect[], messages: readonly QbftMessage[]): void {
  for (const message of messages) {
    const bytes = encodeQbftMessage(message);
    // An echo of our own message from a peer is then a cheap duplicate.
    core.seen.add(bytesKey(core.config.crypto.keccak256(bytes)));
    out.push({ type: "broadcast", bytes, message });
  }
}

/**
 * Sends newly signed messages: first a `persist` of the record that already names them (the
 * caller updated `height.own`), then one `broadcast` each.
 *
 * @example
 * ```ts
 * core.height.own.prepare = digest;
 * sendSigned(core, out, [{ type: "prepare", signed }]);
 * ```
 */
export function sendSigned(
  core: QbftCore,
  out: QbftEffect[],
  messages: readonly QbftMessage[],
): void {
  out.push({ type: "persist", record: signingRecord(core.height) });
  resend(core, out, messages);
}
