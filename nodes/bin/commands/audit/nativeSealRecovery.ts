import secp256k1 from "secp256k1";
import type { SealSignerRecovery } from "../../../../src/auditProof/index.ts";

/**
 * The proof verifier's seal recovery through the `secp256k1` package's native addon (the
 * one the node's Common uses; ~20 times faster than the verifier's browser-safe default),
 * for the CLI, which runs in Node.
 *
 * @example
 * ```ts
 * const logs = verifyChainProof(proof, anchor, { recoverSigner: nativeSealRecovery });
 * ```
 */
export const nativeSealRecovery: SealSignerRecovery = (digest, seal) => {
  if (digest.length !== 32 || seal.length !== 65) return undefined;
  try {
    return secp256k1
      .ecdsaRecover(seal.subarray(0, 64), seal[64] as number, digest, false)
      .subarray(1);
  } catch {
    return undefined;
  }
};
