import { keccak256, toUtf8Bytes } from "ethers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalHash, canonicalJson } from "../../src/canonical/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("canonicalJson (RFC 8785)", () => {
  it("sorts members by UTF-16 code units and drops whitespace", () => {
    // RFC 8785 §3.2.3 example ordering: by UTF-16 code units, not code points or locale.
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew",
      "1": "One",
      "\ud83d\ude00": "Emoji",
      "\u0080": "Control",
      "\u00f6": "Latin",
    };
    // Integer-like keys come first in JS objects, so read the order off the text itself.
    const text = canonicalJson(input);
    const order = Object.keys(input).sort(
      (a, b) => text.indexOf(JSON.stringify(a)) - text.indexOf(JSON.stringify(b)),
    );
    expect(order).toEqual(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
    expect(text.startsWith('{"\\r":"Carriage Return","1":"One"')).toBe(true);
  });

  it("serialises numbers as ECMAScript does (RFC 8785 §3.2.2.3 samples)", () => {
    expect(canonicalJson([1e21, 1e-7, 333333333.3333333, 0.000001, -0, 4.5, 2e-3, 1e23])).toBe(
      "[1e+21,1e-7,333333333.3333333,0.000001,0,4.5,0.002,1e+23]",
    );
  });

  it("is invariant under member order and formatting", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered = JSON.parse(JSON.stringify(value, null, 2)) as unknown;
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: 8785, numRuns: 300 },
    );
  });

  it("rejects values that are not JSON, naming the path", () => {
    for (const [bad, path] of [
      [{ a: [1, Number.NaN] }, "$.a[1]"],
      [{ a: undefined }, "$.a"],
      [{ d: new Date(0) }, "$.d"],
      [{ n: 1n }, "$.n"],
    ] as const) {
      expect(expectCustosError(() => canonicalJson(bad), "INVALID_ARGUMENT").details.path).toBe(
        path,
      );
    }
  });

  it("hashes the canonical form with keccak-256", () => {
    expect(canonicalHash({ b: [1, 2], a: "x" })).toBe(
      keccak256(toUtf8Bytes('{"a":"x","b":[1,2]}')),
    );
  });
});
