import type { QbftCrypto } from "./QbftCrypto.ts";
import type { QbftPayload, QbftSigned } from "./QbftMessage.ts";

/**
 * Recovers the author of one signed payload (a justification entry or a message's own),
 * undefined when the signature recovers to nothing.
 *
 * @example
 * ```ts
 * const author = recoverQbftAuthor(prepare, crypto);
 * ```
 */
export function recoverQbftAuthor(
  signed: QbftSigned<QbftPayload>,
  crypto: QbftCrypto,
): Uint8Array | undefined {
  try {
    const author = crypto.recoverAddress(signed.signingHash, signed.signature);
    return author?.length === 20 ? author : undefined;
  } catch {
    // As with the codec: the crypto port's contract is undefined, never a throw.
    return undefined;
  }
}
