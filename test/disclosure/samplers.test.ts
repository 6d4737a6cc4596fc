import { describe, expect, it } from "vitest";
import { type RandomSource, rational } from "../../src/disclosure/index.ts";
import { sampleBernoulliExp } from "../../src/disclosure/sampleBernoulliExp.ts";
import { sampleDiscreteGaussian } from "../../src/disclosure/sampleDiscreteGaussian.ts";
import { sampleDiscreteLaplace } from "../../src/disclosure/sampleDiscreteLaplace.ts";
import { uniformBigInt, uniformInteger } from "../../src/disclosure/uniformInteger.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { seededRandomSource } from "./seededRandomSource.ts";

const samples = 100_000;
// Upper 1e-6 quantile of chi-square via Wilson–Hilferty: a correct sampler fails with
// probability ~1e-6, and the seed makes the outcome fixed anyway.
function chiSquareCritical(df: number): number {
  const z = 4.753;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Pearson chi-square against an exact pmf, tails pooled until each bin expects >= 20. */
function chiSquare(observed: Map<number, number>, pmf: (x: number) => number, n: number) {
  let lo = 0;
  while (pmf(lo - 1) * n >= 20) lo--;
  let hi = 0;
  while (pmf(hi + 1) * n >= 20) hi++;
  let leftP = 0;
  let rightP = 0;
  for (let x = lo - 1; pmf(x) > 1e-300 && x > lo - 100_000; x--) leftP += pmf(x);
  for (let x = hi + 1; pmf(x) > 1e-300 && x < hi + 100_000; x++) rightP += pmf(x);
  let left = 0;
  let right = 0;
  for (const [x, c] of observed) {
    if (x < lo) left += c;
    if (x > hi) right += c;
  }
  const bins: [number, number][] = [
    [left, leftP * n],
    [right, rightP * n],
  ];
  for (let x = lo; x <= hi; x++) bins.push([observed.get(x) ?? 0, pmf(x) * n]);
  const statistic = bins.reduce((s, [o, e]) => s + (o - e) ** 2 / e, 0);
  return { statistic, df: bins.length - 1 };
}

function draw(n: number, f: () => bigint) {
  const observed = new Map<number, number>();
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = Number(f());
    observed.set(x, (observed.get(x) ?? 0) + 1);
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { observed, mean, variance: sumSq / n - mean * mean };
}

/** Moments of a symmetric integer pmf, summed exactly enough for the tests. */
function moments(pmf: (x: number) => number, span: number) {
  let m2 = 0;
  let m4 = 0;
  for (let x = -span; x <= span; x++) {
    m2 += pmf(x) * x * x;
    m4 += pmf(x) * x ** 4;
  }
  return { variance: m2, fourth: m4 };
}

describe("discrete Laplace sampler (CKS 2020, Alg. 2)", () => {
  for (const epsilon of [1, 0.25]) {
    it(`matches the exact pmf at epsilon ${epsilon} (chi-square, 100k draws) with the right variance`, () => {
      const random = seededRandomSource(1000 + epsilon * 8);
      const q = Math.exp(-epsilon);
      const pmf = (x: number) => ((1 - q) / (1 + q)) * q ** Math.abs(x);
      const scale = rational(1_000_000n, BigInt(Math.round(epsilon * 1_000_000)));
      const { observed, mean, variance } = draw(samples, () =>
        sampleDiscreteLaplace(random, scale),
      );
      const { statistic, df } = chiSquare(observed, pmf, samples);
      expect(statistic).toBeLessThan(chiSquareCritical(df));
      const exact = moments(pmf, 2000);
      expect(exact.variance).toBeCloseTo((2 * q) / (1 - q) ** 2, 6);
      const se = Math.sqrt((exact.fourth - exact.variance ** 2) / samples);
      expect(Math.abs(variance - exact.variance)).toBeLessThan(5 * se);
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(exact.variance / samples));
    });
  }
});

describe("discrete Gaussian sampler (CKS 2020, Alg. 3)", () => {
  for (const [num, den] of [
    [10n, 1n],
    [9n, 4n],
  ] as const) {
    it(`matches the exact pmf at sigma^2 ${num}/${den} (chi-square, 100k draws) with the right variance`, () => {
      const random = seededRandomSource(Number(num * 7n + den));
      const sigma2 = Number(num) / Number(den);
      let z = 0;
      for (let x = -500; x <= 500; x++) z += Math.exp((-x * x) / (2 * sigma2));
      const pmf = (x: number) => Math.exp((-x * x) / (2 * sigma2)) / z;
      const { observed, mean, variance } = draw(samples, () =>
        sampleDiscreteGaussian(random, { num, den }),
      );
      const { statistic, df } = chiSquare(observed, pmf, samples);
      expect(statistic).toBeLessThan(chiSquareCritical(df));
      const exact = moments(pmf, 500);
      // The discrete Gaussian's variance is slightly below sigma^2 (CKS 2020, Cor. 9).
      expect(exact.variance).toBeLessThanOrEqual(sigma2);
      const se = Math.sqrt((exact.fourth - exact.variance ** 2) / samples);
      expect(Math.abs(variance - exact.variance)).toBeLessThan(5 * se);
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(exact.variance / samples));
    });
  }

  it("has power: a slightly wrong variance fails the same test", () => {
    const random = seededRandomSource(31);
    let z = 0;
    for (let x = -500; x <= 500; x++) z += Math.exp((-x * x) / 20);
    const pmf = (x: number) => Math.exp((-x * x) / 20) / z;
    const { observed } = draw(samples, () => sampleDiscreteGaussian(random, { num: 11n, den: 1n }));
    const { statistic, df } = chiSquare(observed, pmf, samples);
    expect(statistic).toBeGreaterThan(chiSquareCritical(df));
  });

  it("is a deterministic function of the random source", () => {
    const a = seededRandomSource(5);
    const b = seededRandomSource(5);
    const sigma = { num: 50n, den: 3n };
    const xs = Array.from({ length: 50 }, () => sampleDiscreteGaussian(a, sigma));
    const ys = Array.from({ length: 50 }, () => sampleDiscreteGaussian(b, sigma));
    expect(xs).toEqual(ys);
  });
});

describe("exact Bernoulli(exp(-gamma)) and uniform integers", () => {
  it("hits exp(-gamma) for gamma below and above 1", () => {
    const random = seededRandomSource(77);
    for (const [num, den] of [
      [1n, 3n],
      [5n, 2n],
    ] as const) {
      let hits = 0;
      for (let i = 0; i < 40_000; i++) if (sampleBernoulliExp(random, { num, den })) hits++;
      const p = Math.exp(-Number(num) / Number(den));
      expect(Math.abs(hits / 40_000 - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / 40_000));
    }
    expect(sampleBernoulliExp(random, { num: 0n, den: 1n })).toBe(true);
  });

  it("draws uniform integers without bias, also past 2^32", () => {
    const random = seededRandomSource(9);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const k = uniformInteger(random, 6);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    const big = 3n * 2n ** 70n;
    let high = 0;
    for (let i = 0; i < 4000; i++) {
      const x = uniformBigInt(random, big);
      expect(x >= 0n && x < big).toBe(true);
      if (x >= big / 2n) high++;
    }
    expect(Math.abs(high - 2000)).toBeLessThan(200);
    const wide = uniformInteger(random, 2 ** 40);
    expect(wide).toBeGreaterThanOrEqual(0);
    expect(wide).toBeLessThan(2 ** 40);
  });

  it("rejects bad bounds and rationals", () => {
    const random: RandomSource = { nextUint32: () => 0 };
    expectCustosError(() => uniformInteger(random, 0), "INVALID_ARGUMENT");
    expectCustosError(() => uniformBigInt(random, 0n), "INVALID_ARGUMENT");
    expectCustosError(() => rational(1n, 0n), "DISCLOSURE_POLICY_INVALID");
    expect(rational(10n, 4n)).toEqual({ num: 5n, den: 2n });
  });
});
