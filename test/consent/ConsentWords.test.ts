import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_CATEGORIES_MASK,
  CONDITION_MASK,
  type DataCategory,
  dataCategories,
  decodeCategories,
  decodePurposes,
  encodeCategories,
  encodePurposes,
  PERMISSION_MASK,
  type PurposeLabel,
  purposeCodes,
  toConsentWords,
  validateConsentRecord,
} from "../../src/consent/index.ts";

describe("consent words", () => {
  it("encodes and decodes purposes and categories losslessly (property)", () => {
    fc.assert(
      fc.property(
        fc.subarray(Object.keys(purposeCodes) as PurposeLabel[]),
        fc.subarray(Object.keys(dataCategories) as DataCategory[]),
        (purposes, categories) => {
          const word = encodePurposes(purposes);
          const { permissions, conditions } = decodePurposes(word);
          expect(encodePurposes([...permissions, ...conditions])).toBe(word);
          expect(new Set([...permissions, ...conditions])).toEqual(new Set(purposes));
          expect(decodeCategories(encodeCategories(categories))).toEqual(
            [...categories].sort((a, b) => dataCategories[a].bit - dataCategories[b].bit),
          );
        },
      ),
      { seed: 99, numRuns: 300 },
    );
  });

  it("refuses words with undefined bits or outside uint32", () => {
    // Bit 6 lies between the permissions (0-5) and the conditions (8-21).
    expect((PERMISSION_MASK | CONDITION_MASK) & (1 << 6)).toBe(0);
    expect(() => decodePurposes(1 << 6)).toThrow(
      expect.objectContaining({
        code: "CONSENT_RECORD_INVALID",
        details: { field: "purposes", problem: "undefined_bits" },
      }),
    );
    expect(() => decodeCategories(ALL_CATEGORIES_MASK + 1)).toThrow(
      expect.objectContaining({ details: { field: "categories", problem: "undefined_bits" } }),
    );
    expect(() => decodePurposes(2 ** 32)).toThrow(
      expect.objectContaining({ details: { field: "purposes", problem: "not_uint32" } }),
    );
    expect(() => decodeCategories(-1)).toThrow(
      expect.objectContaining({ details: { field: "categories", problem: "not_uint32" } }),
    );
  });

  it("gives a record's on-chain words, 0 for open times, the end made exclusive", () => {
    const record = validateConsentRecord({
      subject: `0x${"11".repeat(32)}`,
      status: "active",
      permissions: ["HMB"],
      conditions: ["NCU"],
      categories: ["DEMOGRAPHICS", "DRUGS"],
      validUntil: 2_000_000_000,
      grantees: [],
      custodians: [],
      delegates: [],
      diseaseCodes: [],
      documentHash: `0x${"22".repeat(32)}`,
    });
    expect(toConsentWords(record)).toEqual({
      subject: record.subject,
      purposes: (1 << 2) | (1 << 8),
      categories: 0b1001,
      validFrom: 0,
      validUntil: 2_000_000_001,
      documentHash: record.documentHash,
    });
  });
});
