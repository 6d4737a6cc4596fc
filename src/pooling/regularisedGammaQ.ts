/** Lanczos coefficients for g = 7, n = 9 (as in Numerical Recipes, 3rd ed., §6.1). */
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(a) for a ≥ 0.5 by the Lanczos approximation (relative error ~1e-15). */
function logGamma(a: number): number {
  const x = a - 1;
  let sum = lanczos[0] as number;
  for (let i = 1; i < lanczos.length; i++) sum += (lanczos[i] as number) / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Smallest magnitude the continued fraction's terms may take before they are nudged off 0. */
const tiny = 1e-300;
/**
 * A bound far above what convergence needs (O(x) series terms, O(√a) fraction terms for
 * the a = df/2 and x ranges of meta-analysis); it only keeps a rounding stalemate at the
 * last bit from looping forever, since by then the value is as exact as doubles allow.
 */
const maxIterations = 100_000;

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a), for a ≥ 0.5 and
 * x ≥ 0 (the callers pass a = df/2 of a chi-square, or 1/2 for the normal). Below x = a + 1
 * it sums the series of P = 1 − Q, which converges fast there; above it evaluates the
 * continued fraction of Q directly (modified Lentz), so small upper tails keep their
 * relative precision instead of being lost in 1 − P (Press et al., Numerical Recipes, 3rd ed.,
 * §6.2; Abramowitz & Stegun 6.5.29 and 6.5.31).
 *
 * @example
 * ```ts
 * regularisedGammaQ(1, 2); // e^-2 ≈ 0.1353
 * ```
 */
export function regularisedGammaQ(a: number, x: number): number {
  if (x === 0) return 1;
  const logPrefactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < maxIterations && Math.abs(term) >= Math.abs(sum) * Number.EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefactor));
  }
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let fraction = d;
  for (let i = 1; i < maxIterations; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < Number.EPSILON) break;
  }
  return Math.min(1, Math.exp(logPrefactor) * fraction);
}
