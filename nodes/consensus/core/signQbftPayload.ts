import { encodeQbftPayload, qbftSigningHash } from "./encodeQbftPayload.ts";
import type { QbftCrypto, QbftSigner } from "./QbftCrypto.ts";
import type { QbftPayload, QbftSigned } from "./QbftMessage.ts";
import { encodeRlpBytes, encodeRlpList } from "./qbftRlp.ts";

/**
 * Signs a payload: Besu's `SignedData`, `RLP([payload, signature])` with the signature over
 * {@link qbftSigningHash}. The signer is deterministic, so signing the same payload again
 * gives the same bytes (what lets a restarted validator re-send instead of re-deciding).
 *
 * @example
 * ```ts
 * const signed = signQbftPayload({ type: "prepare", height, round, digest }, signer, crypto);
 * ```
 */
export function signQbftPayload<P extends QbftPayload>(
  payload: P,
  signer: QbftSigner,
  crypto: QbftCrypto,
): QbftSigned<P> {
  const encodedPayload = encodeQbftPayload(payload);
  const signingHash = qbftSigningHash(payload.type, encodedPayload, crypto);
  const signature = signer.sign(signingHash);
  return {
    payload,
    signature,
    signingHash,
    encoded: encodeRlpList([encodedPayload, encodeRlpBytes(signature)]),
  };
}
