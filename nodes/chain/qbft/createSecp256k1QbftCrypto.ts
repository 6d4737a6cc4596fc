import type { QbftCrypto } from "../../consensus/core/QbftCrypto.ts";
import { keccak256, recoverSigner } from "./secp256k1Signatures.ts";

const crypto: QbftCrypto = { keccak256, recoverAddress: recoverSigner };

/**
 * The node's {@link QbftCrypto}: keccak-256 and secp256k1 recovery of Ethereum addresses,
 * native where the addons load (the same ones the node's Common uses). `recoverAddress`
 * answers undefined for a hash that is not 32 bytes or a signature Besu would not read as a
 * seal (not 65 bytes, r or s outside 1..n − 1, recovery id other than 0/1), or one that
 * recovers to no key.
 *
 * @example
 * ```ts
 * const crypto = createSecp256k1QbftCrypto();
 * const signer = crypto.recoverAddress(commit.digest, commit.seal);
 * ```
 */
export function createSecp256k1QbftCrypto(): QbftCrypto {
  return crypto;
}
