/**
 * keccak-256 as a proof verifier computes it: of headers, trie nodes, transactions and
 * validator keys. noble's by default (browser-safe); a Node caller may pass a native one.
 *
 * @example
 * ```ts
 * const keccak256: Keccak256 = (bytes) => keccak_256(bytes);
 * ```
 */
export type Keccak256 = (bytes: Uint8Array) => Uint8Array;
