import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { canonicalJson } from "./canonicalJson.ts";

/**
 * keccak-256 of a value's RFC 8785 canonical UTF-8 form, as 0x-prefixed hex: the hash of an
 * off-chain document (consent, query spec, disclosure report) that Custos anchors on chain.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the value is not JSON (see {@link canonicalJson}).
 * @example
 * ```ts
 * canonicalHash({ a: 1 }) === canonicalHash(JSON.parse('{ "a" : 1.0 }')); // true
 * ```
 */
export function canonicalHash(value: unknown): `0x${string}` {
  return `0x${bytesToHex(keccak_256(utf8ToBytes(canonicalJson(value))))}`;
}
