/**
 * The smaller of two bigints (`Math.min` takes numbers only).
 *
 * @example
 * ```ts
 * smallerBigInt(request.gas ?? limit, limit);
 * ```
 */
export function smallerBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
