import { keccak_256 } from "@noble/hashes/sha3.js";

/** ConsentRegistry's `Terms` struct. */
export interface RegistryTerms {
  readonly purposes: number;
  readonly categories: number;
  readonly validFrom: number;
  readonly validUntil: number;
}

/** A call of one of the ConsentRegistry functions the native paths cover, decoded. */
export type RegistryCall =
  | {
      readonly kind: "grant";
      readonly custodian: number;
      readonly subject: Uint8Array;
      readonly terms: RegistryTerms;
      readonly documentHash: Uint8Array;
    }
  | {
      readonly kind: "revoke";
      readonly custodian: number;
      readonly subject: Uint8Array;
      readonly documentHash: Uint8Array;
    }
  | {
      readonly kind: "batchGrant";
      readonly custodian: number;
      readonly terms: RegistryTerms;
      readonly subjects: readonly Uint8Array[];
      readonly documentHashes: readonly Uint8Array[];
    };

function selector(signature: string): number {
  const hash = keccak_256(new TextEncoder().encode(signature));
  return (
    ((hash[0] as number) << 24) |
    ((hash[1] as number) << 16) |
    ((hash[2] as number) << 8) |
    (hash[3] as number)
  );
}

const TERMS = "(uint32,uint32,uint40,uint40)";
const GRANT = selector(`grant(uint32,bytes32,${TERMS},bytes32)`);
const REVOKE = selector("revoke(uint32,bytes32,bytes32)");
const BATCH_GRANT = selector(`batchGrant(uint32,bytes32[],${TERMS},bytes32[])`);

/** The 32-byte argument word `index` (after the selector). */
function word(data: Uint8Array, index: number): Uint8Array {
  const at = 4 + index * 32;
  return data.subarray(at, at + 32);
}

/** The word as an unsigned integer of `bytes` bytes (≤ 6), or -1 when higher bytes are set. */
function uint(data: Uint8Array, index: number, bytes: number): number {
  const w = word(data, index);
  for (let i = 0; i < 32 - bytes; i++) if (w[i] !== 0) return -1;
  let value = 0;
  for (let i = 32 - bytes; i < 32; i++) value = value * 256 + (w[i] as number);
  return value;
}

/** Terms from argument words `at`..`at + 3`, or undefined when one is not a clean uint. */
function terms(data: Uint8Array, at: number): RegistryTerms | undefined {
  const purposes = uint(data, at, 4);
  const categories = uint(data, at + 1, 4);
  const validFrom = uint(data, at + 2, 5);
  const validUntil = uint(data, at + 3, 5);
  if (purposes < 0 || categories < 0 || validFrom < 0 || validUntil < 0) return undefined;
  return { purposes, categories, validFrom, validUntil };
}

/**
 * Decodes calldata of ConsentRegistry's `grant`, `revoke` or `batchGrant` when it is the
 * canonical ABI encoding and nothing else: exact length, arrays at the offsets an encoder
 * puts them, every integer clean (no bits above its type), both batch arrays the same
 * non-zero length. Solidity's decoder accepts more (offsets elsewhere, trailing bytes), and
 * rejects dirty integers with an empty revert; anything but the canonical form is left to the
 * interpreter (`undefined`), so the native paths never depend on how the decoder treats it.
 *
 * @example
 * ```ts
 * const call = decodeRegistryCall(tx.data); // { kind: "grant", custodian: 1, ... } | undefined
 * ```
 */
export function decodeRegistryCall(data: Uint8Array): RegistryCall | undefined {
  if (data.length < 4) return undefined;
  const sel =
    ((data[0] as number) << 24) |
    ((data[1] as number) << 16) |
    ((data[2] as number) << 8) |
    (data[3] as number);
  if (sel === GRANT) {
    if (data.length !== 4 + 7 * 32) return undefined;
    const custodian = uint(data, 0, 4);
    const t = terms(data, 2);
    if (custodian < 0 || t === undefined) return undefined;
    return {
      kind: "grant",
      custodian,
      subject: word(data, 1),
      terms: t,
      documentHash: word(data, 6),
    };
  }
  if (sel === REVOKE) {
    if (data.length !== 4 + 3 * 32) return undefined;
    const custodian = uint(data, 0, 4);
    if (custodian < 0) return undefined;
    return { kind: "revoke", custodian, subject: word(data, 1), documentHash: word(data, 2) };
  }
  if (sel !== BATCH_GRANT || data.length < 4 + 11 * 32 || (data.length - 4) % 64 !== 32) {
    return undefined;
  }
  // Head: custodian, offset of subjects, the four terms words, offset of documentHashes.
  const n = (data.length - 4 - 9 * 32) / 64;
  const custodian = uint(data, 0, 4);
  const t = terms(data, 2);
  if (
    custodian < 0 ||
    t === undefined ||
    uint(data, 1, 6) !== 7 * 32 ||
    uint(data, 6, 6) !== (8 + n) * 32 ||
    uint(data, 7, 6) !== n ||
    uint(data, 8 + n, 6) !== n
  ) {
    return undefined;
  }
  const subjects: Uint8Array[] = [];
  const documentHashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    subjects.push(word(data, 8 + i));
    documentHashes.push(word(data, 9 + n + i));
  }
  return { kind: "batchGrant", custodian, terms: t, subjects, documentHashes };
}
