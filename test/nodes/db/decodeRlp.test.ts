import { RLP } from "@ethereumjs/rlp";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRlp, encodeRlp, type RlpValue } from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

const source = { keyspace: "test", key: "0x00" };

const { value } = fc.letrec<{ value: RlpValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie("value"), { maxLength: 5 }),
  ),
}));

describe("decodeRlp", () => {
  it("decodes what encodeRlp and @ethereumjs/rlp encode, as @ethereumjs/rlp decodes it", () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeRlp(v);
        expect(bytes).toEqual(RLP.encode(v as never));
        expect(decodeRlp(bytes, source)).toEqual(RLP.decode(bytes));
      }),
      { numRuns: 1_000 },
    );
  });

  it("gives views into its input rather than copies", () => {
    const bytes = encodeRlp([Uint8Array.of(1, 2, 3)]);
    const [first] = decodeRlp(bytes, source) as Uint8Array[];
    expect(first?.buffer).toBe(bytes.buffer);
  });

  it("refuses truncated, trailing and overlong input with CHAIN_DB_CORRUPT", () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.boolean(), (v, cut, trailing) => {
        const bytes = encodeRlp(v);
        const broken = trailing
          ? Uint8Array.of(...bytes, 0)
          : bytes.subarray(0, cut % bytes.length);
        expectCustosError(() => decodeRlp(broken, source), "CHAIN_DB_CORRUPT");
      }),
      { numRuns: 500 },
    );
  });
});
