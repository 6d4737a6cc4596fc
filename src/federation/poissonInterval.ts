import { CustosError } from "../errors/index.ts";
import { chiSquareUpperTail } from "../pooling/index.ts";

/** Limits of the exact 95 % interval of a Poisson mean, in events. */
export interface PoissonInterval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * The x at which P(χ²_df ≥ x) = tail, by bisection: the tail falls monotonically in x,
 * and 200 halvings of the bracket reach the last bit of a double.
 */
function chiSquareQuantileUpper(tail: number, df: number): number {
  let low = 0;
  let high = df + 20 * Math.sqrt(df) + 40;
  while (chiSquareUpperTail(high, df) > tail) high *= 2;
  for (let i = 0; i < 200 && high - low > Number.EPSILON * high; i++) {
    const middle = (low + high) / 2;
    if (chiSquareUpperTail(middle, df) > tail) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * The exact (Garwood 1936) two-sided 95 % confidence interval of a Poisson mean given
 * `events` observed: lower = χ²₀.₀₂₅(2E)/2 (0 when E = 0), upper = χ²₀.₉₇₅(2E + 2)/2. Divided
 * by the person-time it is the interval of an incidence rate. Exact rather than normal on
 * the log scale because pooled event counts are often small (suppression leaves small
 * strata), where the normal approximation undercovers and is undefined at E = 0.
 *
 * @throws CustosError `INVALID_ARGUMENT` unless `events` is a non-negative safe integer.
 * @example
 * ```ts
 * poissonInterval(10); // { lower: 4.795…, upper: 18.390… }
 * ```
 */
export function poissonInterval(events: number): PoissonInterval {
  if (!Number.isSafeInteger(events) || events < 0) {
    throw new CustosError("INVALID_ARGUMENT", "events must be a non-negative safe integer", {
      details: { field: "events", value: String(events) },
    });
  }
  return {
    lower: events === 0 ? 0 : chiSquareQuantileUpper(0.975, 2 * events) / 2,
    upper: chiSquareQuantileUpper(0.025, 2 * events + 2) / 2,
  };
}
