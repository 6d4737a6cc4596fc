/** Unix seconds as a short UTC date and time. */
export function when(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 16);
}

/** ε in micro-units (a decimal string) as a decimal number of ε. */
export function epsilon(micro: string): number {
  return Number(micro) / 1_000_000;
}

/** A hash shortened for a table cell; the full value goes in the title. */
export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}
