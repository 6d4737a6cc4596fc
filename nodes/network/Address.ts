/** A 20-byte Ethereum address as lower-case hex with `0x`, the form every network API uses. */
export type Address = `0x${string}`;

const ADDRESS = /^0x[0-9a-f]{40}$/;

/**
 * The lower-case form of an address string, or `undefined` when it is not 20 bytes of hex.
 *
 * @example
 * ```ts
 * normaliseAddress("0xAbC…"); // "0xabc…"
 * ```
 */
export function normaliseAddress(value: string): Address | undefined {
  const lower = value.toLowerCase();
  return ADDRESS.test(lower) ? (lower as Address) : undefined;
}
