import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateKMapThreshold, type KMapEstimatorModel } from "../../src/anonymise/index.ts";

function model(
  k: number,
  estimator: KMapEstimatorModel["estimator"],
  significanceLevel: number,
  population: { samplingFraction: number } | { populationSize: number },
): KMapEstimatorModel {
  return { type: "k-map", k, estimator, significanceLevel, ...population };
}

// Formulas (El Emam & Dankar 2008, as in ARX's KMap): λ = f·k with f = n/N; X ~ Poisson(λ).
//   poisson:                c = min{c ≥ 0 : P(X ≤ c) ≥ 1 − α},         k′ = min(k, c + 2, n)
//   zero-truncated-poisson: c = min{c ≥ 1 : P(X ≤ c | X ≥ 1) ≥ 1 − α}, k′ = min(k, c + 1, n)
// stopping with k′ = k as soon as c + 1 ≥ k. The numbers below are worked out by hand.
describe("estimateKMapThreshold (worked examples)", () => {
  it("λ = 1 (k = 10, f = 0.1), α = 0.05, Poisson: P(X ≤ 3) = 0.98101 is the first ≥ 0.95 → k′ = 5", () => {
    // e^−1 = 0.367879; P(X ≤ 0..3) = 0.367879, 0.735759, 0.919699, 0.981012.
    const estimate = estimateKMapThreshold(
      model(10, "poisson", 0.05, { samplingFraction: 0.1 }),
      1000,
    );
    expect(estimate.lambda).toBeCloseTo(1, 15);
    expect(estimate.derivedK).toBe(5);
    expect(estimate.type1Error).toBeCloseTo(1 - 0.981011843, 8);
  });

  it("λ = 1, α = 0.05, zero-truncated: P(X ≤ 3 | X ≥ 1) = 0.96996 is the first ≥ 0.95 → k′ = 4", () => {
    // P(X ≥ 1) = 1 − e^−1 = 0.632121; truncated CDF at 1..3: 0.581977, 0.872965, 0.969961.
    const estimate = estimateKMapThreshold(
      model(10, "zero-truncated-poisson", 0.05, { samplingFraction: 0.1 }),
      1000,
    );
    expect(estimate.derivedK).toBe(4);
    expect(estimate.type1Error).toBeCloseTo(1 - 0.969961176, 8);
  });

  it("λ = 1, α = 0.01, Poisson: P(X ≤ 4) = 0.99634 → k′ = 6", () => {
    const estimate = estimateKMapThreshold(
      model(10, "poisson", 0.01, { samplingFraction: 0.1 }),
      1000,
    );
    expect(estimate.derivedK).toBe(6);
    expect(estimate.type1Error).toBeCloseTo(1 - 0.996340152, 8);
  });

  it("derives the sampling fraction from the population size (ARX's Adult / USA test setting)", () => {
    // n = 30,162, N = 317,238,626 (ARX's Region.USA), α = 0.01.
    // k = 3: λ = 2.852e−4, P(X = 1 | X ≥ 1) ≈ 1 − λ/2 = 0.99986 ≥ 0.99 → c = 1, k′ = 2.
    const k3 = estimateKMapThreshold(
      model(3, "zero-truncated-poisson", 0.01, { populationSize: 317_238_626 }),
      30_162,
    );
    expect(k3.samplingFraction).toBeCloseTo(30_162 / 317_238_626, 18);
    expect(k3.lambda).toBeCloseTo((3 * 30_162) / 317_238_626, 18);
    expect(k3.derivedK).toBe(2);
    // k = 1000: λ = 0.0950767, e^−λ = 0.909303; truncated CDF at 1, 2: 0.953215, 0.998529
    // → c = 2, k′ = 3.
    const k1000 = estimateKMapThreshold(
      model(1000, "zero-truncated-poisson", 0.01, { populationSize: 317_238_626 }),
      30_162,
    );
    expect(k1000.derivedK).toBe(3);
    expect(k1000.type1Error).toBeCloseTo(1 - 0.998529095, 8);
    // Poisson, k = 1000: P(X ≤ 0) = 0.909303, P(X ≤ 1) = 0.995757 → c = 1, k′ = c + 2 = 3.
    const poisson = estimateKMapThreshold(
      model(1000, "poisson", 0.01, { populationSize: 317_238_626 }),
      30_162,
    );
    expect(poisson.derivedK).toBe(3);
    expect(poisson.type1Error).toBeCloseTo(1 - 0.995756735, 8);
  });

  it("stops at k when the count would reach it, with type I error 0", () => {
    // k = 3, f = 0.9: λ = 2.7; P(X ≤ 0..2) = 0.0672, 0.2487, 0.4936 stay below 0.99, and at
    // c = 2 the count c + 1 reaches k: k′ = k, k-map holds for certain.
    const estimate = estimateKMapThreshold(
      model(3, "poisson", 0.01, { samplingFraction: 0.9 }),
      100,
    );
    expect(estimate).toEqual({
      k: 3,
      derivedK: 3,
      samplingFraction: 0.9,
      lambda: expect.closeTo(2.7, 12),
      type1Error: 0,
    });
    expect(
      estimateKMapThreshold(model(1, "zero-truncated-poisson", 0.5, { samplingFraction: 1 }), 9)
        .derivedK,
    ).toBe(1);
  });

  it("caps k′ at the sample size", () => {
    // f = 1, k = 100: λ = 100 needs c ≈ 123, but the sample has 4 records.
    const estimate = estimateKMapThreshold(model(100, "poisson", 0.01, { samplingFraction: 1 }), 4);
    expect(estimate.derivedK).toBe(4);
  });

  it("handles large λ in log space (normal approximation: c ≈ λ + 1.645·√λ)", () => {
    // λ = 50,000: c ≈ 50,000 + 1.645·223.6 = 50,367.8, so k′ = c + 2 lies in [50,365, 50,372].
    const estimate = estimateKMapThreshold(
      model(100_000, "poisson", 0.05, { samplingFraction: 0.5 }),
      1_000_000,
    );
    expect(estimate.derivedK).toBeGreaterThanOrEqual(50_365);
    expect(estimate.derivedK).toBeLessThanOrEqual(50_372);
    expect(estimate.type1Error).toBeLessThanOrEqual(0.05);
  });

  it("k′ never exceeds k or n, and shrinks as the population grows (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("poisson" as const, "zero-truncated-poisson" as const),
        fc.integer({ min: 1, max: 500 }),
        (k, f, alpha, estimator, n) => {
          const one = estimateKMapThreshold(model(k, estimator, alpha, { samplingFraction: f }), n);
          const smaller = estimateKMapThreshold(
            model(k, estimator, alpha, { samplingFraction: f / 2 }),
            n,
          );
          expect(one.derivedK).toBeGreaterThanOrEqual(1);
          expect(one.derivedK).toBeLessThanOrEqual(Math.min(k, n));
          expect(smaller.derivedK).toBeLessThanOrEqual(one.derivedK);
          expect(one.type1Error).toBeGreaterThanOrEqual(0);
          expect(one.type1Error).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 4242, numRuns: 300 },
    );
  });
});
