import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRlp, encodeRlp, type RlpItem } from "../../src/auditProof/rlp.ts";

const SEED = 20261206;

const item: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.uint8Array({ maxLength: 70 }),
    fc.array(tie("item"), { maxLength: 5 }),
  ),
})).item;

function hexTree(value: unknown): unknown {
  return value instanceof Uint8Array ? bytesToHex(value) : (value as unknown[]).map(hexTree);
}

describe("the proof verifier's RLP", () => {
  it("encodes as EthereumJS's RLP and decodes its own encoding back", () => {
    fc.assert(
      fc.property(item, (value) => {
        const encoded = encodeRlp(value);
        expect(bytesToHex(encoded)).toBe(bytesToHex(RLP.encode(value as never)));
        expect(hexTree(decodeRlp(encoded))).toEqual(hexTree(value));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("knows the textbook encodings", () => {
    expect(bytesToHex(encodeRlp(new Uint8Array(0)))).toBe("0x80");
    expect(bytesToHex(encodeRlp(Uint8Array.of(0x7f)))).toBe("0x7f");
    expect(bytesToHex(encodeRlp(Uint8Array.of(0x80)))).toBe("0x8180");
    expect(bytesToHex(encodeRlp([]))).toBe("0xc0");
    expect(bytesToHex(encodeRlp(new Uint8Array(56)))).toBe(`0xb838${"00".repeat(56)}`);
  });

  it("refuses every non-canonical or truncated encoding with a reason", () => {
    const bad = [
      "0x", // nothing
      "0x8100", // a single byte below 0x80 with a prefix
      "0xb800", // long form for a short length
      `0xb90038${"00".repeat(56)}`, // a length with a leading zero byte
      "0x82ff", // runs past the end
      "0xc2ff", // list runs past the end
      "0x8001", // bytes after the item
      "0xc2820101", // an inner item runs past its list
      "0xbcffffffffff", // a length longer than 4 bytes
    ];
    for (const hex of bad) {
      const bytes = Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
      expect(typeof decodeRlp(bytes), hex).toBe("string");
    }
  });
});
