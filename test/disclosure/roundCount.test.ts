import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundCount } from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { seededRandomSource } from "./seededRandomSource.ts";

describe("roundCount", () => {
  it("rounds to a multiple of the base, within the base, consistently", () => {
    const random = seededRandomSource(10);
    fc.assert(
      fc.property(fc.nat(100_000), fc.constantFrom(2, 3, 5, 10), (v, base) => {
        const nearest = roundCount(v, { base, mode: "nearest" });
        expect(nearest % base).toBe(0);
        expect(Math.abs(nearest - v)).toBeLessThanOrEqual(base / 2);
        // Same count, same output: a repeated query learns nothing new.
        expect(roundCount(v, { base, mode: "nearest" })).toBe(nearest);
        const r = roundCount(v, { base, mode: "random" }, random);
        expect(r % base).toBe(0);
        expect(Math.abs(r - v)).toBeLessThan(base);
        expect(r === v - (v % base) || r === v - (v % base) + base).toBe(true);
        if (v % base === 0) {
          expect(nearest).toBe(v);
          expect(r).toBe(v);
        }
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it("rounds randomly without bias", () => {
    const random = seededRandomSource(99);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += roundCount(13, { base: 10, mode: "random" }, random);
    // Each draw is 10 or 20 with p = 0.3: sd of the mean ~ 0.032.
    expect(Math.abs(sum / 20_000 - 13)).toBeLessThan(0.2);
  });

  it("keeps half-up nearest rounding and base 1 as identity", () => {
    expect(roundCount(25, { base: 10, mode: "nearest" })).toBe(30);
    expect(roundCount(24, { base: 10, mode: "nearest" })).toBe(20);
    expect(roundCount(7, { base: 1, mode: "random" })).toBe(7);
    expectCustosError(
      () => roundCount(7, { base: 5, mode: "random" }),
      "DISCLOSURE_POLICY_INVALID",
    );
  });
});
