const DAY_MS = 86_400_000;
/** 1900-01-01 as days since 1970-01-01: the earliest day the cache covers. */
const FIRST_CACHED_DAY = -25_567;
/** Up to 2100-12-31. */
const CACHED_DAYS = 73_414;

const cache: (string | undefined)[] = new Array(CACHED_DAYS);

/**
 * A day (whole days since 1970-01-01, UTC) as `YYYY-MM-DD`, the OMOP date form. Every row of
 * the generator carries dates, so the text of each day is made once and cached: the 1900–2100
 * range is 73,414 strings at most.
 *
 * @example
 * ```ts
 * formatOmopDate(20_088); // "2024-12-31"
 * ```
 */
export function formatOmopDate(day: number): string {
  const slot = day - FIRST_CACHED_DAY;
  if (slot >= 0 && slot < CACHED_DAYS) {
    const cached = cache[slot];
    if (cached !== undefined) return cached;
    const text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cache[slot] = text;
    return text;
  }
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A `YYYY-MM-DD` date as whole days since 1970-01-01 (UTC).
 *
 * @example
 * ```ts
 * omopDay("2024-12-31"); // 20088
 * ```
 */
export function omopDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}
