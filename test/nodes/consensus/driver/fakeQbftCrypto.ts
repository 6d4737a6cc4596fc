import { createHash, createHmac } from "node:crypto";
import type { QbftCrypto, QbftSigner } from "../../../../nodes/consensus/core/index.ts";

/** SHA-256: the fake's stand-in for keccak-256 (32 bytes, deterministic). */
export function fakeHash(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** A fake key ring: signers by name and recovery of what they signed. */
export interface FakeQbftCrypto {
  readonly crypto: QbftCrypto;
  signer(name: string): QbftSigner;
}

function hexKey(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * A cheap signature scheme for the driver tests: a signature is `address ‖ HMAC-SHA-256(key,
 * hash) ‖ 12 zero bytes ‖ 0` (65 bytes), recovered by looking the address up in this ring
 * and checking the MAC; a signer's address is the last 20 bytes of SHA-256 of its key.
 *
 * @example
 * ```ts
 * const ring = createFakeQbftCrypto();
 * const alice = ring.signer("alice");
 * ring.crypto.recoverAddress(hash, alice.sign(hash)); // alice.address
 * ```
 */
export function createFakeQbftCrypto(): FakeQbftCrypto {
  const keys = new Map<string, Buffer>();
  const mac = (key: Buffer, hash: Uint8Array) => createHmac("sha256", key).update(hash).digest();
  const crypto: QbftCrypto = {
    keccak256: fakeHash,
    recoverAddress(hash, signature) {
      if (hash.length !== 32 || signature.length !== 65 || signature[64] !== 0) return undefined;
      const address = signature.slice(0, 20);
      const key = keys.get(hexKey(address));
      if (key === undefined) return undefined;
      const expected = mac(key, hash);
      return expected.equals(signature.subarray(20, 52)) ? address : undefined;
    },
  };
  return {
    crypto,
    signer(name) {
      const key = createHash("sha256").update(`fake-qbft-key/${name}`).digest();
      const address = fakeHash(key).slice(12);
      keys.set(hexKey(address), key);
      return {
        address,
        sign(hash) {
          const signature = new Uint8Array(65);
          signature.set(address);
          signature.set(mac(key, hash), 20);
          return signature;
        },
      };
    },
  };
}
