import type { BoundedCache } from "./createBoundedCache.ts";
import { bytesToHex } from "./hexBytes.ts";
import type { Keccak256 } from "./Keccak256.ts";
import type { SealSignerRecovery } from "./recoverSealSigner.ts";

/**
 * The address that signed `digest` with `seal`, lowercase hex, or undefined when the seal
 * recovers to no key.
 */
export type CommitterRecovery = (digest: Uint8Array, seal: Uint8Array) => string | undefined;

/**
 * A {@link CommitterRecovery} over `recover` that remembers each public key's address in
 * `addresses`: a validator seals many headers of a proof (505 seals of 107 keys in the
 * benchmark), and keccak-256 in JavaScript costs about a tenth of a native recovery.
 *
 * @example
 * ```ts
 * const addresses = createBoundedCache<string>(1024);
 * const committerOf = createCommitterRecovery(recoverSealSigner, addresses, keccak_256);
 * const committer = committerOf(header.commitSealHash, header.seals[0]);
 * ```
 */
export function createCommitterRecovery(
  recover: SealSignerRecovery,
  addresses: BoundedCache<string>,
  keccak256: Keccak256,
): CommitterRecovery {
  return (digest, seal) => {
    const publicKey = recover(digest, seal);
    if (publicKey === undefined || publicKey.length !== 64) return undefined;
    // One character a byte: the whole key (a prefix could be ground to match a validator's),
    // built without spreading 64 arguments.
    const key = String.fromCharCode.apply(null, publicKey as unknown as number[]);
    let address = addresses.get(key);
    if (address === undefined) {
      address = bytesToHex(keccak256(publicKey).subarray(12));
      addresses.set(key, address);
    }
    return address;
  };
}
