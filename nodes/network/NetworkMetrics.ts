/** Labels of one counter series, e.g. `{ decision: "refuse", reason: "not-allowed" }`. */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Where the network counts what it does (gater decisions, handshakes, dropped frames, queue
 * overflows, penalties). A tiny sink so the node can back it with prom-client and tests with
 * `createCountingMetrics`; names and labels are listed in the network's documentation.
 */
export interface NetworkMetrics {
  /** Adds `value` (default 1) to the counter `name` with `labels`. */
  increment(name: string, labels?: MetricLabels, value?: number): void;
}

/**
 * A sink that counts nothing, the default.
 *
 * @example
 * ```ts
 * const metrics = options.metrics ?? noopNetworkMetrics;
 * ```
 */
export const noopNetworkMetrics: NetworkMetrics = { increment() {} };
