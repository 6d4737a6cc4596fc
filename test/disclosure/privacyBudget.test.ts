import { describe, expect, it } from "vitest";
import {
  createInMemoryPrivacyBudgetStore,
  privacyCost,
  zcdpToEpsilonMicro,
} from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("privacy budget", () => {
  it("charges integer micro-epsilon and refuses over-spend without recording it", async () => {
    const budget = createInMemoryPrivacyBudgetStore({ limitMicro: 1_000_000 });
    expect(await budget.charge("r", "h", 300_000)).toEqual({
      status: "charged",
      spentMicro: 300_000,
      remainingMicro: 700_000,
    });
    expect(await budget.charge("r", "h", 700_000)).toMatchObject({
      status: "charged",
      remainingMicro: 0,
    });
    expect(await budget.charge("r", "h", 1)).toEqual({
      status: "refused",
      spentMicro: 1_000_000,
      requestedMicro: 1,
      limitMicro: 1_000_000,
    });
    expect(await budget.spent("r", "h")).toBe(1_000_000);
    // Budgets are per requester × hospital.
    expect((await budget.charge("r", "other", 1_000_000)).status).toBe("charged");
    expect((await budget.charge("other", "h", 1_000_001)).status).toBe("refused");
  });

  it("honours per-requester caps and validates amounts", async () => {
    const budget = createInMemoryPrivacyBudgetStore({
      limitMicro: 100,
      requesterLimitsMicro: { vip: 500 },
    });
    expect((await budget.charge("vip", "h", 500)).status).toBe("charged");
    await expectCustosError(budget.charge("vip", "h", -1), "DISCLOSURE_POLICY_INVALID");
    await expectCustosError(budget.charge("vip", "h", 0.5), "DISCLOSURE_POLICY_INVALID");
    expectCustosError(
      () => createInMemoryPrivacyBudgetStore({ limitMicro: -5 }),
      "DISCLOSURE_POLICY_INVALID",
    );
  });

  it("never lets many small charges exceed the cap (fixed point, no drift)", async () => {
    const budget = createInMemoryPrivacyBudgetStore({ limitMicro: 1_000_000 });
    let charged = 0;
    for (let i = 0; i < 20; i++) {
      if ((await budget.charge("r", "h", 100_000)).status === "charged") charged++;
    }
    expect(charged).toBe(10);
  });

  it("converts zCDP to (epsilon, delta) conservatively and prices mechanisms", () => {
    const rho = 0.05;
    const exact = rho + 2 * Math.sqrt(rho * Math.log(1e6));
    const micro = zcdpToEpsilonMicro(50_000, 1e-6);
    expect(micro).toBeGreaterThanOrEqual(exact * 1e6);
    expect(micro - exact * 1e6).toBeLessThan(1.001);
    expect(privacyCost({ mechanism: "none" })).toEqual({ epsilonMicro: 0 });
    expect(privacyCost({ mechanism: "discreteLaplace", epsilonMicro: 250_000 })).toEqual({
      epsilonMicro: 250_000,
      laplaceScale: { num: 4n, den: 1n },
    });
    expect(privacyCost({ mechanism: "discreteGaussian", rhoMicro: 50_000, delta: 1e-6 })).toEqual({
      epsilonMicro: micro,
      gaussianSigmaSquared: { num: 10n, den: 1n },
    });
    expectCustosError(() => zcdpToEpsilonMicro(0, 1e-6), "DISCLOSURE_POLICY_INVALID");
    expectCustosError(() => zcdpToEpsilonMicro(1, 1), "DISCLOSURE_POLICY_INVALID");
  });
});
