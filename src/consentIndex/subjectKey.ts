/**
 * Subject pseudonyms (bytes32) as eight 32-bit words: the 32 bytes read as little-endian
 * uint32, i.e. a `Uint32Array` view over the bytes on a little-endian host. Keeping that
 * representation lets the consent index compare a caller's `Uint8Array` cohort against its
 * table without converting a byte; lexicographic byte order (needed for cohort commitments)
 * is recovered by byte-swapping a word ({@link byteSwap}).
 */

/** A subject pseudonym as accepted by the consent index: 0x-prefixed hex or 32 raw bytes. */
export type SubjectInput = string | Uint8Array;

/** Number of 32-bit words in one pseudonym. */
export const SUBJECT_WORDS = 8;

/** Number of bytes in one pseudonym. */
export const SUBJECT_BYTES = 32;

/** Whether this host stores typed-array words little-endian (every tier-1 Node platform). */
export const isLittleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const HEX_VALUES = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[65 + i] = 10 + i;
    table[97 + i] = 10 + i;
  }
  return table;
})();

const HEX_DIGITS = "0123456789abcdef";
const BYTE_HEX = Array.from(
  { length: 256 },
  (_, b) => `${HEX_DIGITS[b >>> 4]}${HEX_DIGITS[b & 15]}`,
);

function hexValue(code: number): number {
  return code < 128 ? (HEX_VALUES[code] as number) : -1;
}

/**
 * Parses a subject into eight words at `out[offset..offset+8)`. Returns false (leaving the
 * words unspecified) when the subject is not a 0x-prefixed 64-digit hex string or a 32-byte
 * `Uint8Array`: callers turn that into a decision, not an exception.
 *
 * @example
 * ```ts
 * const words = new Uint32Array(8);
 * parseSubjectInto(`0x${"ab".repeat(32)}`, words, 0); // true
 * parseSubjectInto("0x12", words, 0); // false
 * ```
 */
export function parseSubjectInto(subject: unknown, out: Uint32Array, offset: number): boolean {
  if (typeof subject === "string") {
    if (
      subject.length !== 66 ||
      subject.charCodeAt(0) !== 48 ||
      (subject.charCodeAt(1) | 32) !== 120
    ) {
      return false;
    }
    let bad = 0;
    for (let w = 0; w < SUBJECT_WORDS; w++) {
      let word = 0;
      for (let j = 0; j < 4; j++) {
        const p = 2 + w * 8 + j * 2;
        const hi = hexValue(subject.charCodeAt(p));
        const lo = hexValue(subject.charCodeAt(p + 1));
        bad |= hi | lo;
        word |= ((hi << 4) | lo) << (j * 8);
      }
      out[offset + w] = word;
    }
    return bad >= 0;
  }
  if (subject instanceof Uint8Array) {
    if (subject.length !== SUBJECT_BYTES) return false;
    for (let w = 0; w < SUBJECT_WORDS; w++) {
      const b = w * 4;
      out[offset + w] =
        (subject[b] as number) |
        ((subject[b + 1] as number) << 8) |
        ((subject[b + 2] as number) << 16) |
        ((subject[b + 3] as number) << 24);
    }
    return true;
  }
  return false;
}

/**
 * Formats the eight words at `words[offset..offset+8)` as a 0x-prefixed lowercase hex subject.
 *
 * @example
 * ```ts
 * subjectToHex(new Uint32Array(8), 0); // "0x000…000" (64 zeros)
 * ```
 */
export function subjectToHex(words: Uint32Array, offset: number): `0x${string}` {
  let hex = "0x";
  for (let w = 0; w < SUBJECT_WORDS; w++) {
    const word = words[offset + w] as number;
    hex +=
      (BYTE_HEX[word & 0xff] as string) +
      (BYTE_HEX[(word >>> 8) & 0xff] as string) +
      (BYTE_HEX[(word >>> 16) & 0xff] as string) +
      (BYTE_HEX[word >>> 24] as string);
  }
  return hex as `0x${string}`;
}

/**
 * Formats arbitrary bytes as 0x-prefixed lowercase hex.
 *
 * @example
 * ```ts
 * bytesToHex(new Uint8Array([1, 255])); // "0x01ff"
 * ```
 */
export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  let hex = "0x";
  for (const b of bytes) hex += BYTE_HEX[b] as string;
  return hex as `0x${string}`;
}

/**
 * Parses 0x-prefixed hex of an even length into bytes, or undefined when malformed.
 *
 * @example
 * ```ts
 * hexToBytes("0x01ff"); // Uint8Array [1, 255]
 * hexToBytes("01ff"); // undefined
 * ```
 */
export function hexToBytes(hex: unknown): Uint8Array | undefined {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^0x[0-9a-fA-F]*$/.test(hex)) {
    return undefined;
  }
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = (hexValue(hex.charCodeAt(2 + 2 * i)) << 4) | hexValue(hex.charCodeAt(3 + 2 * i));
  }
  return out;
}

/**
 * Reverses the bytes of a word: word order ↔ lexicographic byte order.
 *
 * @example
 * ```ts
 * byteSwap(0x11223344); // 0x44332211
 * ```
 */
export function byteSwap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * Compares two pseudonyms in lexicographic byte order (the order cohort commitments use).
 * Returns a negative number, zero or a positive number.
 *
 * @example
 * ```ts
 * compareSubjects(a, 0, b, 0) < 0; // a sorts before b
 * ```
 */
export function compareSubjects(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  for (let w = 0; w < SUBJECT_WORDS; w++) {
    const x = a[ao + w] as number;
    const y = b[bo + w] as number;
    if (x !== y) return byteSwap(x) < byteSwap(y) ? -1 : 1;
  }
  return 0;
}

/**
 * Views `n` packed pseudonyms (n×32 bytes) as words without copying when the bytes are
 * 4-byte aligned; otherwise copies them once into an aligned buffer.
 *
 * @example
 * ```ts
 * const words = subjectsAsWords(cohortBytes); // words.length === cohortBytes.length / 4
 * ```
 */
export function subjectsAsWords(bytes: Uint8Array): Uint32Array {
  const words = bytes.length / 4;
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, words);
  return new Uint32Array(bytes.slice().buffer, 0, words);
}
