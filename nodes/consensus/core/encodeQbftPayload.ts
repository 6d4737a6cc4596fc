import type { QbftCrypto } from "./QbftCrypto.ts";
import { QBFT_MESSAGE_CODES, type QbftPayload } from "./QbftMessage.ts";
import { encodeRlpBytes, encodeRlpList, encodeRlpUint } from "./qbftRlp.ts";

/**
 * The RLP list of a payload, as Besu's `*Payload.writeTo` writes it: sequence and round as
 * minimal integers, then `block` (PROPOSAL, embedded as encoded), `digest` (PREPARE),
 * `digest, commitSeal` (COMMIT) or the prepared metadata `[preparedRound, digest]` or `[]`
 * (ROUND_CHANGE; Besu's `PreparedRoundMetadata.writeTo` puts the round first).
 *
 * @example
 * ```ts
 * encodeQbftPayload({ type: "prepare", height: 1n, round: 0, digest }); // [0x01, 0x80, digest]
 * ```
 */
export function encodeQbftPayload(payload: QbftPayload): Uint8Array {
  const head = [encodeRlpUint(payload.height), encodeRlpUint(payload.round)];
  switch (payload.type) {
    case "proposal":
      return encodeRlpList([...head, payload.block.encoded]);
    case "prepare":
      return encodeRlpList([...head, encodeRlpBytes(payload.digest)]);
    case "commit":
      return encodeRlpList([
        ...head,
        encodeRlpBytes(payload.digest),
        encodeRlpBytes(payload.commitSeal),
      ]);
    case "roundChange": {
      const prepared =
        payload.prepared === undefined
          ? []
          : [encodeRlpUint(payload.prepared.round), encodeRlpBytes(payload.prepared.digest)];
      return encodeRlpList([...head, encodeRlpList(prepared)]);
    }
  }
}

/**
 * What a payload's signature signs: keccak256(RLP([code, payload])), Besu's
 * `QbftPayload.hashForSignature` (the code as an integer, the payload list embedded as is).
 *
 * @example
 * ```ts
 * const hash = qbftSigningHash("prepare", encodeQbftPayload(payload), crypto);
 * ```
 */
export function qbftSigningHash(
  type: QbftPayload["type"],
  encodedPayload: Uint8Array,
  crypto: QbftCrypto,
): Uint8Array {
  return crypto.keccak256(encodeRlpList([encodeRlpUint(QBFT_MESSAGE_CODES[type]), encodedPayload]));
}
