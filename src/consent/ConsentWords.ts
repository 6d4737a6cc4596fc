import { CustosError } from "../errors/index.ts";
import type { Bytes32, ConsentRecord } from "./ConsentRecord.ts";
import {
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  type DataCategory,
  dataCategories,
  PERMISSION_MASK,
  type PurposeLabel,
  purposeCodes,
} from "./consentCodes.ts";

/** A consent record's on-chain words (ConsentRegistry arguments). */
export interface ConsentWords {
  /** Subject key (bytes32 pseudonym). */
  readonly subject: Bytes32;
  /** uint32: permission and condition bits. */
  readonly purposes: number;
  /** uint32: data category bits. */
  readonly categories: number;
  /** Unix seconds, 0 when the record has no start. */
  readonly validFrom: number;
  /**
   * Unix seconds, 0 when the record has no end. Exclusive, as ConsentRegistry compares
   * `at < validUntil`: one second after the record's inclusive `validUntil`.
   */
  readonly validUntil: number;
  /** Hash of the off-chain consent document. */
  readonly documentHash: Bytes32;
}

/**
 * The purposes word of DUO labels: OR of their bits.
 *
 * @example
 * ```ts
 * encodePurposes(["HMB", "NCU"]); // (1 << 2) | (1 << 8)
 * ```
 */
export function encodePurposes(labels: readonly PurposeLabel[]): number {
  return labels.reduce((word, label) => (word | purposeCodes[label].bit) >>> 0, 0);
}

/**
 * Splits a purposes word into permission and condition labels, in bit order.
 *
 * @throws CustosError `CONSENT_RECORD_INVALID` if the word is not a uint32 or sets bits no
 * DUO code uses.
 * @example
 * ```ts
 * decodePurposes(0b100000100); // { permissions: ["HMB"], conditions: ["NCU"] }
 * ```
 */
export function decodePurposes(word: number): {
  permissions: PurposeLabel[];
  conditions: PurposeLabel[];
} {
  if (!Number.isInteger(word) || word < 0 || word > 0xffff_ffff) {
    throw new CustosError("CONSENT_RECORD_INVALID", "purposes: must be a uint32", {
      details: { field: "purposes", problem: "not_uint32" },
    });
  }
  if ((word & ~(PERMISSION_MASK | CONDITION_MASK)) !== 0) {
    throw new CustosError("CONSENT_RECORD_INVALID", "purposes: sets undefined bits", {
      details: { field: "purposes", problem: "undefined_bits" },
    });
  }
  const all = (Object.keys(purposeCodes) as PurposeLabel[])
    .filter((l) => (word & purposeCodes[l].bit) !== 0)
    .sort((a, b) => purposeCodes[a].bit - purposeCodes[b].bit);
  return {
    permissions: all.filter((l) => purposeCodes[l].kind === "permission"),
    conditions: all.filter((l) => purposeCodes[l].kind === "condition"),
  };
}

/**
 * The categories word of data categories: OR of their bits.
 *
 * @example
 * ```ts
 * encodeCategories(["DEMOGRAPHICS", "DRUGS"]); // 0b1001
 * ```
 */
export function encodeCategories(categories: readonly DataCategory[]): number {
  return categories.reduce((word, c) => word | dataCategories[c].bit, 0);
}

/**
 * The data categories of a categories word, in bit order.
 *
 * @throws CustosError `CONSENT_RECORD_INVALID` if the word is not a uint32 or sets bits no
 * category uses.
 * @example
 * ```ts
 * decodeCategories(0b1001); // ["DEMOGRAPHICS", "DRUGS"]
 * ```
 */
export function decodeCategories(word: number): DataCategory[] {
  if (!Number.isInteger(word) || word < 0 || word > 0xffff_ffff) {
    throw new CustosError("CONSENT_RECORD_INVALID", "categories: must be a uint32", {
      details: { field: "categories", problem: "not_uint32" },
    });
  }
  if ((word & ~ALL_CATEGORIES_MASK) !== 0) {
    throw new CustosError("CONSENT_RECORD_INVALID", "categories: sets undefined bits", {
      details: { field: "categories", problem: "undefined_bits" },
    });
  }
  return (Object.keys(dataCategories) as DataCategory[])
    .filter((c) => (word & dataCategories[c].bit) !== 0)
    .sort((a, b) => dataCategories[a].bit - dataCategories[b].bit);
}

/**
 * The on-chain words of a consent record (grantees, custodians, delegates and disease codes
 * stay off chain, covered by `documentHash`).
 *
 * @example
 * ```ts
 * const { purposes, categories } = toConsentWords(record);
 * ```
 */
export function toConsentWords(record: ConsentRecord): ConsentWords {
  return {
    subject: record.subject,
    purposes: encodePurposes([...record.permissions, ...record.conditions]),
    categories: encodeCategories(record.categories),
    validFrom: record.validFrom ?? 0,
    // The record's end is inclusive, the contract's exclusive: without the +1 the consent's
    // last second would be lost on chain.
    validUntil: record.validUntil === undefined ? 0 : record.validUntil + 1,
    documentHash: record.documentHash,
  };
}
