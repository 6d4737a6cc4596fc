import type { RegistryTerms } from "./decodeRegistryCall.ts";

// ConsentPacking's bit layout, low to high: purposes [0,32), categories [32,64), validFrom
// [64,104), validUntil [104,144), status [144,152), version [152,184), custodian [184,216),
// nonce [216,248).
const STATUS = 144n;
const VERSION = 152n;
const CUSTODIAN = 184n;
const NONCE = 216n;
const U32 = 0xffff_ffffn;

/** ConsentRegistry's record statuses (IConsentRegistry.Status). */
export const recordStatus = { none: 0, active: 1, revoked: 2 } as const;

/**
 * ConsentRegistry's packed record word (contracts/libraries/ConsentPacking.sol), read and
 * written exactly as the contract does.
 *
 * @example
 * ```ts
 * const word = consentRecordWord.pack(terms, recordStatus.active, 1n, 3n, 1n);
 * consentRecordWord.status(word); // 1
 * ```
 */
export const consentRecordWord = {
  /** The status byte (0 None, 1 Active, 2 Revoked; the contract never writes another). */
  status: (word: bigint): number => Number((word >> STATUS) & 0xffn),
  version: (word: bigint): bigint => (word >> VERSION) & U32,
  nonce: (word: bigint): bigint => (word >> NONCE) & U32,
  /** `ConsentPacking.pack`: a fresh word, nothing kept from the old one. */
  pack(terms: RegistryTerms, status: number, version: bigint, custodian: bigint, nonce: bigint) {
    return (
      BigInt(terms.purposes) |
      (BigInt(terms.categories) << 32n) |
      (BigInt(terms.validFrom) << 64n) |
      (BigInt(terms.validUntil) << 104n) |
      (BigInt(status) << STATUS) |
      (version << VERSION) |
      (custodian << CUSTODIAN) |
      (nonce << NONCE)
    );
  },
  /** `ConsentPacking.revoked`: status Revoked, the version and nonce given, the rest kept. */
  revoked(word: bigint, version: bigint, nonce: bigint): bigint {
    const kept = word & ~(0xff_ffff_ffffn << STATUS) & ~(U32 << NONCE);
    return (
      kept | (BigInt(recordStatus.revoked) << STATUS) | (version << VERSION) | (nonce << NONCE)
    );
  },
} as const;
