import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConsentState,
  PACKED_CONSENT_BYTES,
  packConsentState,
  unpackConsentState,
} from "../../src/consentIndex/index.ts";
import { isCustosError } from "../../src/errors/index.ts";

const MAX_TIME = 2 ** 48 - 1;
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const record = fc.record({
  status: fc.constantFrom("active" as const, "revoked" as const),
  purposes: uint32,
  categories: uint32,
  validFrom: fc.integer({ min: 0, max: MAX_TIME }),
  validUntil: fc.integer({ min: 0, max: MAX_TIME }),
  version: fc.integer({ min: 1, max: 0xffffffff }),
  custodian: uint32,
});

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  bytes[at] = value;
  return bytes;
}

function codeOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return isCustosError(error) ? [error.code, error.details] : error;
  }
  return "no error";
}

describe("packConsentState", () => {
  it("round-trips every record in 30 bytes", () => {
    fc.assert(
      fc.property(record, (state) => {
        const bytes = packConsentState(state);
        expect(bytes.length).toBe(PACKED_CONSENT_BYTES);
        expect(unpackConsentState(bytes)).toEqual(state);
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it("lays out the fields big-endian after a format byte", () => {
    const bytes = packConsentState({
      status: "revoked",
      purposes: 0x01020304,
      categories: 0x05060708,
      validFrom: 0x0a0b0c0d0e0f,
      validUntil: 1,
      version: 2,
      custodian: 3,
    });
    expect(Buffer.from(bytes).toString("hex")).toBe(
      [
        "01",
        "02",
        "01020304",
        "05060708",
        "0a0b0c0d0e0f",
        "000000000001",
        "00000002",
        "00000003",
      ].join(""),
    );
  });

  it("refuses what does not fit, naming the field", () => {
    const ok: ConsentState = {
      status: "active",
      purposes: 1,
      categories: 1,
      validFrom: 0,
      validUntil: 0,
      version: 1,
      custodian: 1,
    };
    expect(codeOf(() => packConsentState({ ...ok, status: "none" }))).toEqual([
      "INVALID_ARGUMENT",
      { field: "status" },
    ]);
    expect(codeOf(() => packConsentState({ ...ok, validUntil: 2 ** 48 }))).toEqual([
      "INVALID_ARGUMENT",
      { field: "validUntil" },
    ]);
    expect(codeOf(() => packConsentState({ ...ok, version: 0 }))).toEqual([
      "INVALID_ARGUMENT",
      { field: "version" },
    ]);
  });

  it("reports corrupt bytes as CONSENT_INDEX_STORE_CORRUPT", () => {
    const good = packConsentState({
      status: "active",
      purposes: 1,
      categories: 1,
      validFrom: 0,
      validUntil: 0,
      version: 1,
      custodian: 1,
    });
    const corrupt = (mutate: (b: Uint8Array) => Uint8Array) =>
      codeOf(() => unpackConsentState(mutate(good.slice())));
    expect(corrupt((b) => b.subarray(0, 29))).toEqual([
      "CONSENT_INDEX_STORE_CORRUPT",
      { key: "record", problem: "has the wrong length" },
    ]);
    expect(corrupt((b) => withByte(b, 0, 9))).toEqual([
      "CONSENT_INDEX_STORE_CORRUPT",
      { key: "record", problem: "has an unknown format" },
    ]);
    expect(corrupt((b) => withByte(b, 1, 0))).toEqual([
      "CONSENT_INDEX_STORE_CORRUPT",
      { key: "record", problem: "has an unknown status" },
    ]);
  });
});
