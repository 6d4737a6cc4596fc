import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConsentState,
  PACKED_CONSENT_BYTES,
  packConsentState,
  unpackConsentState,
} from "../../src/consentIndex/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

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
    const refused = (state: ConsentState) =>
      expectCustosError(() => packConsentState(state), "INVALID_ARGUMENT").details;
    expect(refused({ ...ok, status: "none" })).toEqual({ field: "status" });
    expect(refused({ ...ok, validUntil: 2 ** 48 })).toEqual({ field: "validUntil" });
    expect(refused({ ...ok, version: 0 })).toEqual({ field: "version" });
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
      expectCustosError(
        () => unpackConsentState(mutate(good.slice())),
        "CONSENT_INDEX_STORE_CORRUPT",
      ).details;
    expect(corrupt((b) => b.subarray(0, 29))).toEqual({
      key: "record",
      problem: "has the wrong length",
    });
    expect(corrupt((b) => withByte(b, 0, 9))).toEqual({
      key: "record",
      problem: "has an unknown format",
    });
    expect(corrupt((b) => withByte(b, 1, 0))).toEqual({
      key: "record",
      problem: "has an unknown status",
    });
  });
});
