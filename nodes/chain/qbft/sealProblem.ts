import { QBFT_SEAL_LENGTH } from "./QbftExtraData.ts";

/** secp256k1's group order n, big-endian. */
const CURVE_ORDER = Uint8Array.from(
  Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex"),
);

/** True when the 32 bytes at `offset` hold a scalar from 1 to n − 1. */
function inScalarRange(bytes: Uint8Array, offset: number): boolean {
  let zero = true;
  let below: boolean | undefined;
  for (let i = 0; i < 32; i++) {
    const b = bytes[offset + i] as number;
    if (b !== 0) zero = false;
    if (below === undefined && b !== CURVE_ORDER[i]) below = b < (CURVE_ORDER[i] as number);
  }
  return !zero && below === true;
}

/**
 * Why `signature` is not a well-formed 65-byte secp256k1 signature as Besu decodes one
 * (`SECPSignature.decode`: r and s from 1 to n − 1, recovery id 0 or 1), or undefined when
 * it is. A high s is accepted, as Besu accepts it in a seal.
 *
 * @example
 * ```ts
 * const problem = sealProblem(seal); // "has recovery id 27, not 0 or 1"
 * ```
 */
export function sealProblem(signature: Uint8Array): string | undefined {
  if (signature.length !== QBFT_SEAL_LENGTH) {
    return `is ${signature.length} bytes, not ${QBFT_SEAL_LENGTH}`;
  }
  if (!inScalarRange(signature, 0)) return "has r outside 1..n-1";
  if (!inScalarRange(signature, 32)) return "has s outside 1..n-1";
  const recoveryId = signature[64] as number;
  if (recoveryId > 1) return `has recovery id ${recoveryId}, not 0 or 1`;
  return undefined;
}
