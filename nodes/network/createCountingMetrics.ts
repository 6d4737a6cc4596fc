import type { MetricLabels, NetworkMetrics } from "./NetworkMetrics.ts";

/** An in-memory {@link NetworkMetrics} that can be read back. */
export interface CountingMetrics extends NetworkMetrics {
  /**
   * The sum of the counter `name` over every series whose labels include `labels` (all series
   * when omitted); 0 when nothing was counted.
   */
  count(name: string, labels?: MetricLabels): number;
  /** Every series as `name{label="value",…}` → value, labels sorted. */
  snapshot(): Record<string, number>;
  /** Every series with its name, labels and value, in first-counted order. */
  series(): readonly CountedSeries[];
}

/** One counter series. */
export interface CountedSeries {
  readonly name: string;
  readonly labels: MetricLabels;
  readonly value: number;
}

interface Series {
  readonly name: string;
  readonly labels: MetricLabels;
  value: number;
}

function seriesKey(name: string, labels: MetricLabels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((label) => `${label}=${JSON.stringify(labels[label])}`);
  return `${name}{${parts.join(",")}}`;
}

/**
 * Creates an in-memory counter sink, for tests and for a node that exports the counts itself.
 *
 * @example
 * ```ts
 * const metrics = createCountingMetrics();
 * const network = await createP2pNetwork({ ...options, metrics });
 * metrics.count("p2p_gater_decisions_total", { decision: "refuse" }); // 0 so far
 * ```
 */
export function createCountingMetrics(): CountingMetrics {
  const series = new Map<string, Series>();
  return {
    increment(name, labels = {}, value = 1) {
      const key = seriesKey(name, labels);
      const entry = series.get(key);
      if (entry === undefined) series.set(key, { name, labels: { ...labels }, value });
      else entry.value += value;
    },
    count(name, labels = {}) {
      let total = 0;
      for (const entry of series.values()) {
        if (entry.name !== name) continue;
        if (Object.entries(labels).every(([label, value]) => entry.labels[label] === value)) {
          total += entry.value;
        }
      }
      return total;
    },
    snapshot() {
      return Object.fromEntries([...series].map(([key, entry]) => [key, entry.value]));
    },
    series() {
      return [...series.values()].map(({ name, labels, value }) => ({ name, labels, value }));
    },
  };
}
