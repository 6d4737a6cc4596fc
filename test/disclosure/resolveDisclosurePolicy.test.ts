import { describe, expect, it } from "vitest";
import { defaultDisclosurePolicy, resolveDisclosurePolicy } from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("resolveDisclosurePolicy", () => {
  it("fills defaults (min cell 11, zeros released, interval 10) and derives from minCellSize", () => {
    expect(resolveDisclosurePolicy()).toEqual(defaultDisclosurePolicy);
    const five = resolveDisclosurePolicy({ minCellSize: 5 });
    expect(five).toMatchObject({ minCellSize: 5, protectionInterval: 4, minCohortDifference: 5 });
    expect(Object.isFrozen(five)).toBe(true);
  });

  it("names the offending field", () => {
    const cases: [unknown, string][] = [
      [{ minCellSize: 0 }, "minCellSize"],
      [{ minCellSize: 2.5 }, "minCellSize"],
      [{ releaseZeros: "yes" }, "releaseZeros"],
      [{ protectionInterval: 0 }, "protectionInterval"],
      [{ rounding: { base: 0, mode: "nearest" } }, "rounding.base"],
      [{ rounding: { base: 5, mode: "stochastic" } }, "rounding.mode"],
      [{ noise: { mechanism: "gaussian" } }, "noise.mechanism"],
      [{ noise: { mechanism: "discreteLaplace", epsilonMicro: 0 } }, "noise.epsilonMicro"],
      [{ noise: { mechanism: "discreteGaussian", rhoMicro: 1.5, delta: 1e-6 } }, "noise.rhoMicro"],
      [{ noise: { mechanism: "discreteGaussian", rhoMicro: 10, delta: 0 } }, "noise.delta"],
      [{ minCohortDifference: -1 }, "minCohortDifference"],
    ];
    for (const [input, field] of cases) {
      const error = expectCustosError(
        () => resolveDisclosurePolicy(input as Parameters<typeof resolveDisclosurePolicy>[0]),
        "DISCLOSURE_POLICY_INVALID",
      );
      expect(error.details.field).toBe(field);
    }
  });
});
