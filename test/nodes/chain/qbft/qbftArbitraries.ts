/** fast-check arbitraries of QBFT extraData values, shared by the qbft property tests. */
import fc from "fast-check";
import { QBFT_MAX_ROUND, type QbftExtraData } from "../../../../nodes/chain/index.ts";

/** secp256k1's group order n. */
export const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A bigint as 32 big-endian bytes. */
export function word(value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(64, "0"), "hex"));
}

/** A seal Besu would decode: r and s from 1 to n − 1, recovery id 0 or 1. */
export const sealArbitrary: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }),
    fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }),
    fc.constantFrom(0, 1),
  )
  .map(([r, s, recoveryId]) => Uint8Array.from([...word(r), ...word(s), recoveryId]));

const address = fc.uint8Array({ minLength: 20, maxLength: 20 });

/** Any valid QBFT extraData value, rounds biased to the small and the extreme. */
export const extraDataArbitrary: fc.Arbitrary<QbftExtraData> = fc.record({
  vanity: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  validators: fc.array(address, { maxLength: 8 }),
  vote: fc.option(fc.record({ recipient: address, add: fc.boolean() }), { nil: undefined }),
  round: fc.oneof(
    fc.integer({ min: 0, max: 300 }),
    fc.integer({ min: 0, max: QBFT_MAX_ROUND }),
    fc.constantFrom(0, 127, 128, 255, 256, 0xffff, 0x10000, 0xffffff, 0x1000000, QBFT_MAX_ROUND),
  ),
  seals: fc.array(sealArbitrary, { maxLength: 5 }),
});
