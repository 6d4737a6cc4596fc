import { CustosError } from "../errors/index.ts";

/** Fixed-point ε unit shared with the on-chain AccessLedger: 1,000,000 micro-ε = ε 1.0. */
export const microEpsilonPerEpsilon = 1_000_000;

/** How released counts are rounded. `base: 1` disables rounding. */
export interface RoundingPolicy {
  /** Rounding base b (released values become multiples of b); 1 = no rounding. */
  readonly base: number;
  /**
   * `nearest` rounds half up, deterministically; `random` rounds up with probability
   * (v mod b)/b (unbiased), which needs the `random` port.
   */
  readonly mode: "nearest" | "random";
}

/** Differential-privacy noise added to the interior cells before any other rule. */
export type NoisePolicy =
  | { readonly mechanism: "none" }
  | {
      /** Discrete Laplace, pmf ∝ exp(−ε|x|): ε-DP for a histogram (add/remove one subject). */
      readonly mechanism: "discreteLaplace";
      /** ε in micro-units (1e6 = 1.0). */
      readonly epsilonMicro: number;
    }
  | {
      /** Discrete Gaussian with σ² = 1/(2ρ): ρ-zCDP for a histogram (sensitivity 1). */
      readonly mechanism: "discreteGaussian";
      /** ρ in micro-units (1e6 = 1.0). */
      readonly rhoMicro: number;
      /** δ used to convert ρ-zCDP to the (ε, δ) charged against the budget. */
      readonly delta: number;
    };

/** The release rules applied by `releaseTable`, in this order: noise, suppression, rounding. */
export interface DisclosurePolicy {
  /** Counts with 0 < count < minCellSize are suppressed (primary suppression). */
  readonly minCellSize: number;
  /**
   * Whether cells with count 0 are released as 0 (CMS, PCORnet practice). When true, zero
   * cells are never suppressed, not even as complements, so an intruder knows every
   * suppressed cell is ≥ 1 and the audit uses that lower bound. When false, zero cells are
   * primary-suppressed like small counts.
   */
  readonly releaseZeros: boolean;
  /**
   * Minimum width (hi − lo) of the interval an intruder can derive for any suppressed cell
   * from the released cells, the linear relations of the table and the known lower bound.
   */
  readonly protectionInterval: number;
  /** Rounding of the released values. */
  readonly rounding: RoundingPolicy;
  /** Optional DP noise; its ε is charged to the privacy budget. */
  readonly noise: NoisePolicy;
  /**
   * Minimum size of the symmetric difference between this release's cohort and any earlier
   * cohort of the same requester (0 < |Δ| < this is refused). Defaults to minCellSize.
   */
  readonly minCohortDifference: number;
}

/** The defaults: min cell 11 (CMS, PCORnet), zeros released, interval 10, no rounding or noise. */
export const defaultDisclosurePolicy: DisclosurePolicy = Object.freeze({
  minCellSize: 11,
  releaseZeros: true,
  protectionInterval: 10,
  rounding: Object.freeze({ base: 1, mode: "nearest" as const }),
  noise: Object.freeze({ mechanism: "none" as const }),
  minCohortDifference: 11,
});

/** A policy override; omitted fields take their defaults. */
export type DisclosurePolicyInput = Partial<DisclosurePolicy>;

function bad(field: string, reason: string, value?: unknown): never {
  throw new CustosError("DISCLOSURE_POLICY_INVALID", `${field}: ${reason}`, {
    details: { field, reason, ...(value === undefined ? {} : { value: String(value) }) },
  });
}

function positiveInteger(field: string, value: unknown, max = 1_000_000_000): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    bad(field, `must be an integer in [1, ${max}]`, value);
  }
  return value;
}

function resolveNoise(noise: unknown): NoisePolicy {
  if (typeof noise !== "object" || noise === null) bad("noise", "must be an object", noise);
  const mechanism = (noise as { mechanism?: unknown }).mechanism;
  if (mechanism === "none") return Object.freeze({ mechanism });
  if (mechanism === "discreteLaplace") {
    const epsilonMicro = positiveInteger(
      "noise.epsilonMicro",
      (noise as { epsilonMicro?: unknown }).epsilonMicro,
      100 * microEpsilonPerEpsilon,
    );
    return Object.freeze({ mechanism, epsilonMicro });
  }
  if (mechanism === "discreteGaussian") {
    const rhoMicro = positiveInteger(
      "noise.rhoMicro",
      (noise as { rhoMicro?: unknown }).rhoMicro,
      100 * microEpsilonPerEpsilon,
    );
    const delta = (noise as { delta?: unknown }).delta;
    if (typeof delta !== "number" || !(delta > 0 && delta < 1)) {
      bad("noise.delta", "must be a number in (0, 1)", delta);
    }
    return Object.freeze({ mechanism, rhoMicro, delta });
  }
  return bad(
    "noise.mechanism",
    "must be none, discreteLaplace or discreteGaussian",
    String(mechanism),
  );
}

/**
 * Completes a policy with {@link defaultDisclosurePolicy} and validates every field; the
 * result is frozen. `minCohortDifference` and `protectionInterval` follow `minCellSize`
 * (minCellSize and minCellSize − 1) unless given.
 *
 * @throws CustosError `DISCLOSURE_POLICY_INVALID` naming the field that is out of range.
 * @example
 * ```ts
 * const policy = resolveDisclosurePolicy({ minCellSize: 5, rounding: { base: 5, mode: "nearest" } });
 * policy.protectionInterval; // 4
 * ```
 */
export function resolveDisclosurePolicy(input: DisclosurePolicyInput = {}): DisclosurePolicy {
  if (typeof input !== "object" || input === null) bad("policy", "must be an object", input);
  const minCellSize = positiveInteger(
    "minCellSize",
    input.minCellSize ?? defaultDisclosurePolicy.minCellSize,
  );
  const releaseZeros = input.releaseZeros ?? defaultDisclosurePolicy.releaseZeros;
  if (typeof releaseZeros !== "boolean") bad("releaseZeros", "must be a boolean", releaseZeros);
  const protectionInterval = input.protectionInterval ?? Math.max(1, minCellSize - 1);
  positiveInteger("protectionInterval", protectionInterval);
  const rounding = input.rounding ?? defaultDisclosurePolicy.rounding;
  if (typeof rounding !== "object" || rounding === null) bad("rounding", "must be an object");
  positiveInteger("rounding.base", rounding.base, 1_000_000);
  if (rounding.mode !== "nearest" && rounding.mode !== "random") {
    bad("rounding.mode", "must be nearest or random", rounding.mode);
  }
  const noise = resolveNoise(input.noise ?? defaultDisclosurePolicy.noise);
  const minCohortDifference = positiveInteger(
    "minCohortDifference",
    input.minCohortDifference ?? minCellSize,
  );
  return Object.freeze({
    minCellSize,
    releaseZeros,
    protectionInterval,
    rounding: Object.freeze({ base: rounding.base, mode: rounding.mode }),
    noise,
    minCohortDifference,
  });
}
