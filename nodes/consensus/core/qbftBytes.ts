const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lower-case hex of `bytes` without a prefix: the key under which the core files addresses
 * and hashes in maps and sets (byte arrays compare by identity there).
 *
 * @example
 * ```ts
 * bytesKey(Uint8Array.of(0xab, 1)); // "ab01"
 * ```
 */
export function bytesKey(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/**
 * Whether two byte arrays hold the same bytes.
 *
 * @example
 * ```ts
 * equalBytes(Uint8Array.of(1), Uint8Array.of(1)); // true
 * ```
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Unsigned lexicographic order of two byte arrays (negative, zero or positive), the order
 * Besu sorts validator addresses in.
 *
 * @example
 * ```ts
 * [b, a].sort(compareBytes);
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}
