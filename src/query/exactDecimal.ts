import { CustosError } from "../errors/index.ts";

/** Fractional digits every exact sum is carried with (value scale 4, squares scale 8). */
export const SUM_SCALE = 8;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string (as an engine prints a DECIMAL) into an integer scaled by
 * 10^SUM_SCALE, exactly.
 *
 * @throws CustosError `OMOP_STORE_QUERY_FAILED` when the engine returned something else, or
 *   more fractional digits than the scale holds.
 */
export function parseScaledDecimal(text: string): bigint {
  const match = DECIMAL.exec(text.trim());
  const fraction = match?.[3] ?? "";
  if (match === null || fraction.replace(/0+$/, "").length > SUM_SCALE) {
    throw new CustosError("OMOP_STORE_QUERY_FAILED", "an exact sum is not a decimal", {
      details: { reason: "not a decimal of scale ≤ 8" },
    });
  }
  const digits = BigInt(`${match[2]}${fraction.padEnd(SUM_SCALE, "0").slice(0, SUM_SCALE)}`);
  return match[1] === "-" ? -digits : digits;
}

/** Formats an integer scaled by 10^SUM_SCALE as a decimal string with exactly that scale. */
export function formatScaledDecimal(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SUM_SCALE + 1, "0");
  const whole = digits.slice(0, -SUM_SCALE);
  return `${negative ? "-" : ""}${whole}.${digits.slice(-SUM_SCALE)}`;
}

/** A decimal string in the one canonical form both engines' output maps to. */
export function canonicalDecimal(text: string): string {
  return formatScaledDecimal(parseScaledDecimal(text));
}
