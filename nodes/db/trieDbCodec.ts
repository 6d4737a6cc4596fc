import type { EncodingOpts } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

const HEX_KEY = /^(?:[0-9a-f]{2})+$/;

/**
 * A trie key as the bytes it names. EthereumJS's trie and state manager key the DB by
 * unprefixed hex strings (a node's hash, `63` ‖ a code hash); the stored key is the bytes,
 * not the text, which halves a node's key (32 bytes, not 64). Byte keys pass as they are.
 *
 * @throws CustosError `INTERNAL` for a string key that is not lower-case hex bytes.
 * @example
 * ```ts
 * trieKeyBytes("0a0b"); // Uint8Array [10, 11]
 * ```
 */
export function trieKeyBytes(key: string | Uint8Array): Uint8Array {
  if (typeof key !== "string") return key;
  if (!HEX_KEY.test(key)) {
    throw new CustosError("INTERNAL", "a state key is not hex", { details: { key } });
  }
  return Uint8Array.from(Buffer.from(key, "hex"));
}

/**
 * A trie key as the hex string EthereumJS uses for it (the inverse of {@link trieKeyBytes}).
 *
 * @example
 * ```ts
 * trieKeyHex(Uint8Array.of(10, 11)); // "0a0b"
 * ```
 */
export function trieKeyHex(key: string | Uint8Array): string {
  return typeof key === "string"
    ? key
    : Buffer.from(key.buffer, key.byteOffset, key.length).toString("hex");
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
