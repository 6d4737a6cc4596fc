import { keccak_256 } from "@noble/hashes/sha3.js";
import type { QbftCrypto, QbftSigner } from "../core/index.ts";
import { memoKeccak256 } from "./memoKeccak256.ts";

/** A cheap deterministic stand-in for secp256k1, with a count of recoveries. */
export interface ToyQbftCrypto {
  /** keccak-256 (real) and toy signature recovery. */
  readonly crypto: QbftCrypto;
  /** Signature recoveries asked for so far. */
  readonly recoveries: number;
  /**
   * The signer named `name` (same name, same key): its address is the last 20 bytes of
   * keccak(secret). Only signers made here can sign: recovery knows their secrets.
   */
  signer(name: string | number): QbftSigner;
}

const encoder = new TextEncoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * A toy signature scheme for tests and the simulator: a signature is `address ‖
 * keccak(secret ‖ hash) ‖ 12 zero bytes ‖ recovery id 0` (65 bytes, like Besu's r ‖ s ‖ v),
 * so recovery is one keccak, is deterministic, fails for any other hash, and cannot be
 * forged without the signer object (the secrets live in this instance's key ring). Hashing
 * is memoised ({@link memoKeccak256}): a simulated broadcast is hashed by every recipient.
 *
 * @example
 * ```ts
 * const toy = createToyQbftCrypto();
 * const alice = toy.signer("alice");
 * toy.crypto.recoverAddress(hash, alice.sign(hash)); // alice.address
 * ```
 */
export function createToyQbftCrypto(): ToyQbftCrypto {
  const secrets = new Map<string, Uint8Array>();
  let recoveries = 0;
  const mac = (secret: Uint8Array, hash: Uint8Array) => memoKeccak256(concat(secret, hash));
  const key = (address: Uint8Array) => Buffer.from(address).toString("hex");
  const crypto: QbftCrypto = {
    keccak256: memoKeccak256,
    recoverAddress(hash, signature) {
      recoveries++;
      if (hash.length !== 32 || signature.length !== 65) return undefined;
      const address = signature.subarray(0, 20);
      const secret = secrets.get(key(address));
      if (secret === undefined || signature[64] !== 0) return undefined;
      if (signature.subarray(52, 64).some((byte) => byte !== 0)) return undefined;
      const expected = mac(secret, hash);
      for (let i = 0; i < 32; i++) if (signature[20 + i] !== expected[i]) return undefined;
      return address.slice();
    },
  };
  return {
    crypto,
    get recoveries() {
      return recoveries;
    },
    signer(name) {
      const secret = keccak_256(encoder.encode(`toy-qbft-key:${name}`));
      const address = keccak_256(secret).slice(12);
      secrets.set(key(address), secret);
      return {
        address,
        sign(hash) {
          const signature = new Uint8Array(65);
          signature.set(address);
          signature.set(mac(secret, hash), 20);
          return signature;
        },
      };
    },
  };
}
