/**
 * Exact decimal arithmetic for the reference evaluator: decimal text is read digit by digit
 * into a bigint with a decimal scale, never through a float.
 */

/** An exact decimal number: `units × 10^(−scale)`. */
export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Fractional digits a measurement value is carried with (as DECIMAL(18,4)). */
export const VALUE_SCALE = 4;

const DECIMAL_TEXT = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/**
 * Parses decimal text (`"48.1"`, `"-0.25"`, `"1e-3"`, `"+7."`) exactly.
 *
 * @throws Error when the text is not a decimal number.
 */
export function parseExactDecimal(text: string): ExactDecimal {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (match === null) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  const [whole = "", fraction = ""] = (match[2] as string).split(".");
  const exponent = Number(match[3] ?? "0");
  let units = BigInt(`${whole}${fraction}` || "0");
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return { units: match[1] === "-" ? -units : units, scale };
}

/** The exact decimal a finite JS number stands for, read from its shortest round-trip text. */
export function decimalOfNumber(value: number): ExactDecimal {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return parseExactDecimal(String(value));
}

/** `d` as an integer count of `10^(−scale)`, exact when `scale ≥ d.scale`. */
export function unitsAtScale(d: ExactDecimal, scale: number): bigint {
  if (scale >= d.scale) return d.units * pow10(scale - d.scale);
  throw new Error(`${formatUnits(d.units, d.scale)} has more than ${scale} fractional digits`);
}

/** `d` rounded to `scale` fractional digits, half away from zero (as a DECIMAL cast rounds). */
export function roundToScale(d: ExactDecimal, scale: number): bigint {
  if (scale >= d.scale) return unitsAtScale(d, scale);
  const divisor = pow10(d.scale - scale);
  const magnitude = d.units < 0n ? -d.units : d.units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return d.units < 0n ? -rounded : rounded;
}

/** Decimal text of `units × 10^(−scale)`, with exactly `scale` fractional digits. */
export function formatUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale === 0 ? "" : `.${digits.slice(digits.length - scale)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** −1, 0 or 1 as `a` is below, equal to or above `b`, exactly. */
export function compareDecimal(a: ExactDecimal, b: ExactDecimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = unitsAtScale(a, scale);
  const y = unitsAtScale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Floor division of bigints (rounds toward −∞, unlike `/`). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
