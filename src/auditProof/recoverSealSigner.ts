import { secp256k1 } from "@noble/curves/secp256k1.js";

/**
 * Recovers the public key that signed `digest` with a QBFT commit seal. The verifier derives
 * the address itself (keccak-256 of the key, last 20 bytes), once per key and verifier: a
 * validator seals many headers of a proof.
 *
 * @param digest the 32-byte commit-seal hash.
 * @param seal r ‖ s ‖ recovery id (0 or 1), 65 bytes.
 * @returns the uncompressed public key without its 0x04 prefix (x ‖ y, 64 bytes), or
 *   undefined when the seal recovers to no key.
 */
export type SealSignerRecovery = (digest: Uint8Array, seal: Uint8Array) => Uint8Array | undefined;

/**
 * The default {@link SealSignerRecovery}: noble's secp256k1 in plain JavaScript, so it runs
 * in a browser (about 1.4 ms a seal on this project's machines; a Node caller may pass the
 * native `secp256k1` addon's recovery instead, ~20 times faster). A high s is accepted, as
 * Besu accepts it in a seal.
 *
 * @example
 * ```ts
 * const publicKey = recoverSealSigner(header.commitSealHash, header.seals[0]);
 * ```
 */
export function recoverSealSigner(digest: Uint8Array, seal: Uint8Array): Uint8Array | undefined {
  if (digest.length !== 32 || seal.length !== 65) return undefined;
  try {
    const signature = secp256k1.Signature.fromBytes(seal.subarray(0, 64), "compact");
    return signature
      .addRecoveryBit(seal[64] as number)
      .recoverPublicKey(digest)
      .toBytes(false)
      .subarray(1);
  } catch {
    return undefined;
  }
}
