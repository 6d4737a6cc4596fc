import { RLP } from "@ethereumjs/rlp";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeRlp, type RlpInput } from "../../../nodes/db/index.ts";

/** Byte strings of every header form (single byte below 0x80, short, long) in nested lists. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 2 }),
  fc.uint8Array({ minLength: 50, maxLength: 60 }),
  fc.uint8Array({ minLength: 250, maxLength: 300 }),
);
const { input } = fc.letrec<{ input: RlpInput }>((tie) => ({
  input: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    bytes,
    fc.array(tie("input"), { maxLength: 6 }),
  ),
}));

describe("encodeRlp", () => {
  it("encodes exactly as EthereumJS's RLP", () => {
    fc.assert(
      fc.property(input, (value) => {
        expect(encodeRlp(value)).toEqual(RLP.encode(value as never));
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it("encodes long lists (length of length > 1)", () => {
    const big = Array.from({ length: 500 }, (_, i) => [Uint8Array.of(i & 255), new Uint8Array(64)]);
    expect(encodeRlp(big)).toEqual(RLP.encode(big));
  });
});
