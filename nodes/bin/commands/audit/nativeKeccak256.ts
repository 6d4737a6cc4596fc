import type { Keccak256 } from "../../../../src/auditProof/index.ts";
import { loadNativeCrypto } from "../../../execution/loadNativeCrypto.ts";

let loaded: { keccak256: Keccak256 | undefined } | undefined;

/**
 * The `keccak` package's native addon as the proof verifier's hash (the node's own, ~10
 * times faster than noble on a header), loaded on first use; undefined when the addon
 * cannot load, and the verifier then uses noble's.
 *
 * @example
 * ```ts
 * const keccak256 = nativeKeccak256();
 * const logs = verifyChainProof(proof, anchor, { recoverSigner, ...(keccak256 && { keccak256 }) });
 * ```
 */
export function nativeKeccak256(): Keccak256 | undefined {
  loaded ??= { keccak256: loadNativeCrypto().customCrypto.keccak256 };
  return loaded.keccak256;
}
