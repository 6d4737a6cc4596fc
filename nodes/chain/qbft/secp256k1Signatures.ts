import { keccak_256 } from "@noble/hashes/sha3.js";
import secp256k1 from "secp256k1";
import { CustosError } from "../../../src/errors/index.ts";
import { loadNativeCrypto } from "../../execution/index.ts";
import { sealProblem } from "./sealProblem.ts";

let keccakFunction: ((data: Uint8Array) => Uint8Array) | undefined;

/**
 * keccak-256 of `data`: the native addon's sponge when it loads (3–5x faster than noble on
 * header-sized input, see loadNativeCrypto), noble otherwise.
 *
 * @example
 * ```ts
 * const hash = keccak256(encodeRlp(header.raw()));
 * ```
 */
export function keccak256(data: Uint8Array): Uint8Array {
  keccakFunction ??= loadNativeCrypto().customCrypto.keccak256 ?? keccak_256;
  // The addon answers a Buffer; callers compare and store plain Uint8Arrays.
  return new Uint8Array(keccakFunction(data));
}

/** The Ethereum address of an uncompressed public key (0x04 ‖ x ‖ y). */
function addressOfPublicKey(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1)).slice(12);
}

/**
 * The address that signed the 32-byte `hash` with `signature` (r ‖ s ‖ recovery id 0/1), or
 * undefined when the signature is malformed as Besu reads seals, or recovers to no key. The
 * `secp256k1` package runs its native addon (the one the node's Common uses), or its
 * pure-JS fallback where the addon cannot load.
 *
 * @example
 * ```ts
 * const signer = recoverSigner(commitSealHash, seal); // 20 bytes, or undefined
 * ```
 */
export function recoverSigner(hash: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  if (hash.length !== 32 || sealProblem(signature) !== undefined) return undefined;
  try {
    const publicKey = secp256k1.ecdsaRecover(
      signature.subarray(0, 64),
      signature[64] as number,
      hash,
      false,
    );
    return addressOfPublicKey(publicKey);
  } catch {
    return undefined;
  }
}

/**
 * Checks that `privateKey` is a secp256k1 private key; the key never appears in the error.
 *
 * @throws CustosError `INVALID_ARGUMENT` when it is not 32 bytes from 1 to n − 1.
 * @example
 * ```ts
 * checkPrivateKey(key);
 * ```
 */
export function checkPrivateKey(privateKey: Uint8Array): void {
  if (privateKey.length !== 32 || !secp256k1.privateKeyVerify(privateKey)) {
    throw new CustosError("INVALID_ARGUMENT", "not a secp256k1 private key", {
      details: { field: "privateKey", length: privateKey.length },
    });
  }
}

/**
 * The Ethereum address of a private key.
 *
 * @throws CustosError `INVALID_ARGUMENT` when `privateKey` is not a secp256k1 private key.
 * @example
 * ```ts
 * const validator = addressOfPrivateKey(key); // 20 bytes
 * ```
 */
export function addressOfPrivateKey(privateKey: Uint8Array): Uint8Array {
  checkPrivateKey(privateKey);
  return addressOfPublicKey(secp256k1.publicKeyCreate(privateKey, false));
}

/**
 * Signs the 32-byte `hash`: 65 bytes r ‖ s ‖ recovery id (0 or 1), deterministic (RFC 6979)
 * with a low s, as Besu writes a commit seal.
 *
 * @throws CustosError `INVALID_ARGUMENT` when `privateKey` is not a secp256k1 private key or
 *   `hash` is not 32 bytes.
 * @example
 * ```ts
 * const seal = signHash(commitSealHash, key);
 * ```
 */
export function signHash(hash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  checkPrivateKey(privateKey);
  if (hash.length !== 32) {
    throw new CustosError("INVALID_ARGUMENT", "a signed hash must be 32 bytes", {
      details: { field: "hash", length: hash.length },
    });
  }
  const { signature, recid } = secp256k1.ecdsaSign(hash, privateKey);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = recid;
  return out;
}
