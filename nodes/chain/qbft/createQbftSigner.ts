import type { QbftSigner } from "../../consensus/core/QbftCrypto.ts";
import { addressOfPrivateKey, signHash } from "./secp256k1Signatures.ts";

/**
 * A validator's {@link QbftSigner} from its secp256k1 private key: its address, and
 * deterministic (RFC 6979, low-s) 65-byte signatures r ‖ s ‖ recovery id, as Besu signs.
 * The key is copied and kept only inside the signer.
 *
 * @throws CustosError `INVALID_ARGUMENT` when `privateKey` is not a secp256k1 private key
 *   (never echoing it), and from `sign` when the hash is not 32 bytes.
 * @example
 * ```ts
 * const signer = createQbftSigner((await readValidatorKey(file)).privateKey);
 * const seal = signer.sign(block.digest);
 * ```
 */
export function createQbftSigner(privateKey: Uint8Array): QbftSigner {
  const key = privateKey.slice();
  const address = addressOfPrivateKey(key);
  return { address, sign: (hash) => signHash(hash, key) };
}
