import { RLP } from "@ethereumjs/rlp";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeRlpBytes,
  encodeRlpList,
  encodeRlpUint,
  isShallowRlp,
  readRlpList,
  readRlpRoot,
  readRlpSpan,
  readRlpUint,
} from "../../../../nodes/consensus/core/qbftRlp.ts";

type Tree = Uint8Array | Tree[];

function listHeader(length: number): number[] {
  if (length <= 55) return [0xc0 + length];
  const size: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) size.unshift(v & 255);
  return [0xf7 + size.length, ...size];
}

function encodeTree(tree: Tree): Uint8Array {
  return tree instanceof Uint8Array ? encodeRlpBytes(tree) : encodeRlpList(tree.map(encodeTree));
}

const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie("node"), { maxLength: 5 }),
  ),
})).node as fc.Arbitrary<Tree>;

describe("qbftRlp", () => {
  it("encodes as @ethereumjs/rlp does (property)", () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(encodeTree(value)).toEqual(RLP.encode(value as never));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (value) => {
        expect(encodeRlpUint(value)).toEqual(RLP.encode(value));
      }),
    );
  });

  it("reads back every canonical encoding (property)", () => {
    fc.assert(
      fc.property(tree, (value) => {
        const bytes = encodeTree(value);
        const root = readRlpRoot(bytes, 0);
        expect(root?.end).toBe(bytes.length);
        expect(root !== undefined && isShallowRlp(bytes, root, 64)).toBe(true);
      }),
    );
  });

  it("refuses non-canonical or truncated headers", () => {
    const bad = [
      [0x81, 0x05], // a single byte below 0x80 must not be prefixed
      [0xb8, 0x05, 1, 2, 3, 4, 5], // long form for a short string
      [0xb9, 0x00, 0x38, ...new Array(56).fill(1)], // leading zero in the length
      [0xc2, 0x01], // runs past its input
      [0xf8, 0x01, 0x01], // long form for a short list
    ];
    for (const bytes of bad) {
      expect(readRlpSpan(Uint8Array.from(bytes), 0, bytes.length)).toBeUndefined();
    }
  });

  it("reads minimal unsigned integers only", () => {
    const read = (bytes: number[], max = 8) => {
      const input = Uint8Array.from(bytes);
      const span = readRlpSpan(input, 0, input.length);
      return span === undefined ? "bad header" : readRlpUint(input, span, max);
    };
    expect(read([0x80])).toBe(0n);
    expect(read([0x7f])).toBe(127n);
    expect(read([0x82, 0x01, 0x00])).toBe(256n);
    expect(read([0x00])).toBeUndefined();
    expect(read([0x82, 0x00, 0x01])).toBeUndefined();
    expect(read([0x83, 1, 2, 3], 2)).toBeUndefined();
  });

  it("stops reading a list past its cap, and measures nesting without recursion", () => {
    const list = encodeRlpList(Array.from({ length: 1000 }, () => encodeRlpUint(1)));
    const root = readRlpRoot(list, 0);
    if (root === undefined) throw new Error("no root");
    expect(readRlpList(list, root, 10)).toBeUndefined();
    expect(readRlpList(list, root, 1000)).toHaveLength(1000);
    // 100,000 lists inside each other, built from the inside out without re-copying.
    const headers: number[][] = [];
    let length = 1;
    for (let i = 0; i < 100_000; i++) {
      const header = listHeader(length);
      headers.push(header);
      length += header.length;
    }
    const nested = new Uint8Array(length);
    let at = 0;
    for (const header of headers.reverse()) {
      nested.set(header, at);
      at += header.length;
    }
    nested[at] = 0xc0;
    const deep = readRlpRoot(nested, 0);
    if (deep === undefined) throw new Error("no root");
    expect(isShallowRlp(nested, deep, 16)).toBe(false);
    expect(isShallowRlp(nested, deep, 100_001)).toBe(true);
  });
});
