import type { EncodingOpts } from "@ethereumjs/util";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * A trie key as bytes. EthereumJS passes Uint8Array keys; its `'string'` key encoding maps
 * to UTF-8, as level's `'utf8'` would.
 *
 * @example
 * ```ts
 * trieKeyBytes("abc"); // Uint8Array [97, 98, 99]
 * ```
 */
export function trieKeyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === "string" ? utf8Encoder.encode(key) : key;
}

/**
 * A trie value as bytes (strings stored as UTF-8, the `'string'` → `'utf8'` mapping).
 *
 * @example
 * ```ts
 * trieValueBytes(new Uint8Array([1])); // Uint8Array [1]
 * ```
 */
export function trieValueBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8Encoder.encode(value) : value;
}

/**
 * Stored bytes in the encoding the caller asked for.
 *
 * @example
 * ```ts
 * trieValueOut(new Uint8Array([97]), { valueEncoding: "string" }); // "a"
 * ```
 */
export function trieValueOut(
  value: Uint8Array,
  opts: EncodingOpts | undefined,
): string | Uint8Array {
  return opts?.valueEncoding === "string" ? utf8Decoder.decode(value) : value;
}
