import { keccak_256 } from "@noble/hashes/sha3.js";

/** Digests remembered; the cache is dropped whole when full (cheap, and enough for reuse). */
const CAPACITY = 8_192;
const cache = new Map<string, Uint8Array>();

/**
 * keccak-256 (the real one) with a bounded memo of recent inputs. In a simulated network
 * every broadcast is hashed, decoded and its signatures recovered once per recipient, over
 * the same bytes; remembering the digests makes the toy crypto's main cost (pure-JS keccak)
 * shrink about n − 1 times. The result is a fresh copy, so callers may keep or change it.
 *
 * @example
 * ```ts
 * memoKeccak256(bytes); // equals keccak_256(bytes)
 * ```
 */
export function memoKeccak256(data: Uint8Array): Uint8Array {
  const key = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1");
  let digest = cache.get(key);
  if (digest === undefined) {
    if (cache.size >= CAPACITY) cache.clear();
    digest = keccak_256(data);
    cache.set(key, digest);
  }
  return digest.slice();
}
