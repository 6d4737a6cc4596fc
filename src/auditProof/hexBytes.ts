/** Two lowercase hex digits of every byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** The value of a hex digit's character code, or -1 for any other character. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) DIGIT[48 + i] = i;
for (let i = 0; i < 6; i++) {
  DIGIT[65 + i] = 10 + i;
  DIGIT[97 + i] = 10 + i;
}

/**
 * Lowercase `0x` hex of `bytes`, two digits a byte: how a proof document writes every byte
 * string.
 *
 * @example
 * ```ts
 * bytesToHex(Uint8Array.of(1, 255)); // "0x01ff"
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = BYTE_HEX[bytes[i] as number] as string;
  return `0x${parts.join("")}`;
}

/**
 * The bytes of `0x` hex with an even number of digits (either case), or undefined when the
 * text is not that.
 *
 * @example
 * ```ts
 * hexToBytes("0x01ff"); // Uint8Array [1, 255]
 * hexToBytes("0x1"); // undefined
 * ```
 */
export function hexToBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || text.charCodeAt(0) !== 48 || text.charCodeAt(1) !== 120) {
    return undefined;
  }
  const out = new Uint8Array((text.length - 2) / 2);
  for (let i = 0; i < out.length; i++) {
    const high = DIGIT[text.charCodeAt(2 + 2 * i)] ?? -1;
    const low = DIGIT[text.charCodeAt(3 + 2 * i)] ?? -1;
    if (high < 0 || low < 0) return undefined;
    out[i] = high * 16 + low;
  }
  return out;
}

/**
 * Whether two byte strings hold the same bytes.
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
