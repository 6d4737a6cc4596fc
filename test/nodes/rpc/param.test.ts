import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { param } from "../../../nodes/rpc/param.ts";
import { rpcHex } from "../../../nodes/rpc/rpcHex.ts";
import { expectCustosError } from "../../expectCustosError.ts";

/** The refusal's details: the path of the bad parameter and what it should have been. */
function refusal(run: () => unknown) {
  return expectCustosError(run, "RPC_INVALID_PARAMS").details;
}

describe("param decoders", () => {
  it("round-trip quantities and data with rpcHex", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        fc.uint8Array({ maxLength: 80 }),
        (n, bytes) => {
          expect(param.uint256(rpcHex.quantity(n), "p")).toBe(n);
          expect(param.data(rpcHex.data(bytes), "p")).toEqual(bytes);
        },
      ),
      { numRuns: 2_000, seed: 7 },
    );
  });

  it("reject quantities with leading zeros, without 0x, or too wide, naming the path", () => {
    for (const bad of ["0x", "0x01", "1", "0xg", 1, null, `0x1${"0".repeat(16)}`]) {
      expect(refusal(() => param.uint64(bad, "params[3].gas")).path).toBe("params[3].gas");
    }
    expect(param.uint64("0xffffffffffffffff", "p")).toBe(2n ** 64n - 1n);
  });

  it("reject odd-length data and wrong-size addresses and hashes", () => {
    expect(refusal(() => param.data("0x1", "p")).expected).toMatch(/even length/);
    expect(refusal(() => param.address(`0x${"aa".repeat(19)}`, "p")).expected).toMatch(/20 bytes/);
    expect(refusal(() => param.hash(`0x${"aa".repeat(33)}`, "p")).expected).toMatch(/32 bytes/);
    expect(param.address(`0x${"AB".repeat(20)}`, "p")).toEqual(new Uint8Array(20).fill(0xab));
  });

  it("left-pad storage slots given as quantities or short hex", () => {
    const slot = param.slot("0x1", "p");
    expect(slot.length).toBe(32);
    expect(slot[31]).toBe(1);
    expect(param.slot(`0x${"00".repeat(31)}02`, "p")[31]).toBe(2);
    expect(refusal(() => param.slot(`0x${"0".repeat(65)}`, "p")).expected).toMatch(/storage slot/);
  });

  it("describe bad values without echoing large input", () => {
    const details = refusal(() => param.bool("x".repeat(10_000), "params[1]"));
    expect(JSON.stringify(details).length).toBeLessThan(200);
  });

  it("decode counts given as JSON numbers or quantities", () => {
    expect(param.count(5, "p")).toBe(5);
    expect(param.count("0x5", "p")).toBe(5);
    expect(refusal(() => param.count(1.5, "p")).expected).toMatch(/non-negative integer/);
  });
});
