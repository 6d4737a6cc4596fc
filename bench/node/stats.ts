/** Summary statistics of the node benchmark. */

/** Median (mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nearest-rank percentile `p` (0..1) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? 0;
}

/** `n` rounded to `digits` decimals. */
export function round(n: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(n * scale) / scale;
}

/** The least-squares line through `points` (x, y). */
export function leastSquares(points: readonly (readonly [number, number])[]): {
  at(x: number): number;
} {
  const n = points.length;
  if (n < 2) throw new Error("too few memory samples for a trend");
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  const slope = covariance / variance;
  return { at: (x) => meanY + slope * (x - meanX) };
}
