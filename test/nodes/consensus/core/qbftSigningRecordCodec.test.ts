import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeQbftSigningRecord,
  encodeQbftSigningRecord,
  type QbftSigningRecord,
} from "../../../../nodes/consensus/core/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
const record: fc.Arbitrary<QbftSigningRecord> = fc.record({
  height: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
  round: fc.nat(0x7fffffff),
  proposal: fc.option(digest, { nil: undefined }),
  prepare: fc.option(digest, { nil: undefined }),
  commit: fc.option(digest, { nil: undefined }),
  roundChange: fc.option(
    fc.record({
      prepared: fc.option(fc.record({ round: fc.nat(0x7fffffff), digest }), { nil: undefined }),
    }),
    { nil: undefined },
  ),
  certificate: fc.option(
    fc.record({
      round: fc.nat(0x7fffffff),
      block: fc.constantFrom(Uint8Array.of(0xc1, 0x01), Uint8Array.of(0xc3, 0x82, 0x01, 0x02)),
      prepares: fc.array(fc.constantFrom(Uint8Array.of(0xc0), Uint8Array.of(0xc1, 0x80)), {
        maxLength: 5,
      }),
    }),
    { nil: undefined },
  ),
});

describe("encodeQbftSigningRecord / decodeQbftSigningRecord", () => {
  it("round-trips every record (property)", () => {
    fc.assert(
      fc.property(record, (value) => {
        expect(decodeQbftSigningRecord(encodeQbftSigningRecord(value))).toEqual(value);
      }),
    );
  });

  it("names a damaged record CONSENSUS_RECORD_CORRUPT and never another error (property)", () => {
    fc.assert(
      fc.property(record, fc.nat(), fc.integer({ min: 1, max: 255 }), (value, at, xor) => {
        const bytes = encodeQbftSigningRecord(value);
        bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ xor;
        try {
          decodeQbftSigningRecord(bytes);
        } catch (error) {
          expectCustosError(() => {
            throw error;
          }, "CONSENSUS_RECORD_CORRUPT");
        }
      }),
    );
    expectCustosError(
      () => decodeQbftSigningRecord(Uint8Array.of(0xc0)),
      "CONSENSUS_RECORD_CORRUPT",
    );
  });
});
