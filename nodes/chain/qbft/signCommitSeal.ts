import type { BlockHeader } from "@ethereumjs/block";
import { qbftCommitSealHash } from "./qbftCommitSealHash.ts";
import { signHash } from "./secp256k1Signatures.ts";

/**
 * A validator's commit seal for `header`: its signature (65 bytes, r ‖ s ‖ recovery id) of
 * the header's commit-seal hash, as Besu's validators sign in their COMMIT message. The
 * header's own seals, if any, do not change it.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the header's extraData does not decode;
 *   `INVALID_ARGUMENT` when `privateKey` is not a secp256k1 private key.
 * @example
 * ```ts
 * const seal = signCommitSeal(block.header, validatorKey);
 * ```
 */
export function signCommitSeal(header: BlockHeader, privateKey: Uint8Array): Uint8Array {
  return signHash(qbftCommitSealHash(header), privateKey);
}
