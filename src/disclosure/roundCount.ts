import { CustosError } from "../errors/index.ts";
import type { RandomSource } from "./RandomSource.ts";
import type { RoundingPolicy } from "./resolveDisclosurePolicy.ts";
import { uniformInteger } from "./uniformInteger.ts";

/**
 * Rounds one released count to a multiple of the base. `nearest` rounds half up (the same
 * count always gives the same output, so a repeated query learns nothing new);
 * `random` rounds up with probability (v mod b)/b, which is unbiased, using the injected
 * source. 0 stays 0 and multiples of the base are unchanged in both modes.
 *
 * @throws CustosError `DISCLOSURE_POLICY_INVALID` for `random` mode without a source.
 * @example
 * ```ts
 * roundCount(27, { base: 5, mode: "nearest" }); // 25
 * ```
 */
export function roundCount(value: number, rounding: RoundingPolicy, random?: RandomSource): number {
  const b = rounding.base;
  if (b === 1) return value;
  const remainder = value % b;
  const down = value - remainder;
  if (remainder === 0) return value;
  if (rounding.mode === "nearest") return 2 * remainder >= b ? down + b : down;
  if (random === undefined) {
    throw new CustosError("DISCLOSURE_POLICY_INVALID", "random rounding needs a random source", {
      details: { field: "rounding.mode" },
    });
  }
  return uniformInteger(random, b) < remainder ? down + b : down;
}
