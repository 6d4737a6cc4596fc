import { type CountTable, createCountTable, releaseTable } from "../src/disclosure/index.ts";

// Deterministic data generator (splitmix32), so every run measures the same table.
function generator(seed: number) {
  let x = seed >>> 0;
  return (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

function poisson(uniform: () => number, mean: number): number {
  if (mean > 50) {
    const u1 = Math.max(uniform(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = uniform();
  while (p > limit) {
    k++;
    p *= uniform();
  }
  return k;
}

/**
 * 100 sites × 100 diagnoses, 300,000 subjects, Zipf-like popularity on both axes (s = 1.1
 * and 0.9) with per-cell Poisson counts: a long tail of small and empty cells, as in real
 * cross tabulations of rare conditions by site. The 10,000-cell table of the
 * `disclosure10kCellsMs` figure.
 */
export function disclosure10kTable(): CountTable {
  const rows = 100;
  const columns = 100;
  const subjects = 300_000;
  const uniform = generator(2026);
  const rowWeight = Array.from({ length: rows }, (_, i) => 1 / (i + 1) ** 1.1);
  const columnWeight = Array.from({ length: columns }, (_, j) => 1 / (j + 1) ** 0.9);
  const rowSum = rowWeight.reduce((a, b) => a + b, 0);
  const columnSum = columnWeight.reduce((a, b) => a + b, 0);
  const counts: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const mean = (subjects * (rowWeight[i] ?? 0) * (columnWeight[j] ?? 0)) / (rowSum * columnSum);
      counts.push(poisson(uniform, mean));
    }
  }
  return createCountTable({
    dimensions: [
      { name: "site", categories: Array.from({ length: rows }, (_, i) => `site-${i}`) },
      { name: "diagnosis", categories: Array.from({ length: columns }, (_, j) => `dx-${j}`) },
    ],
    counts,
  });
}

/** Median of a non-empty sample (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * Times the default disclosure-control release (minimum cell size, complementary
 * suppression, report) of a table: `warmup` unmeasured runs, then `runs` measured ones.
 */
export async function measureDisclosureRelease(
  table: CountTable,
  runs: number,
  warmup: number,
): Promise<{ medianMs: number; fastestMs: number }> {
  for (let i = 0; i < warmup; i++) await releaseTable(table, {}, {});
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await releaseTable(table, {}, {});
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), fastestMs: Math.min(...times) };
}
