/** Labels of one series, e.g. `{ type: "prepare" }`. */
export type ConsensusMetricLabels = Readonly<Record<string, string>>;

/**
 * Where the driver counts what happens, as it happens. The node backs it with prom-client
 * under a `custos_` prefix; the gauges (height, round, proposer, validators, syncing) are
 * read from `QbftDriver.status()` at scrape time instead. Series:
 *
 * | name | kind | labels |
 * | --- | --- | --- |
 * | `consensus_messages_received_total` | counter | `type`: proposal, prepare, commit, roundChange, unknown |
 * | `consensus_messages_sent_total` | counter | `type` (one per recipient) |
 * | `consensus_messages_dropped_total` | counter | `reason`: a `QbftDropReason`, or `queueFull` |
 * | `consensus_round_changes_total` | counter | — |
 * | `consensus_evidence_total` | counter | `type`: the equivocated message type |
 * | `consensus_blocks_committed_total` | counter | — |
 * | `consensus_commit_latency_seconds` | observation | — |
 * | `consensus_failures_total` | counter | `operation`: build, validate, commit, sync, step |
 * | `consensus_syncs_total` | counter | `outcome`: reached, short, failed |
 */
export interface ConsensusMetrics {
  /** Adds `value` (default 1) to the counter `name` with `labels`. */
  increment(name: string, labels?: ConsensusMetricLabels, value?: number): void;
  /** Records one observation of `name` (a histogram or summary). */
  observe(name: string, value: number): void;
}

/**
 * A sink that records nothing, the default.
 *
 * @example
 * ```ts
 * const metrics = ports.metrics ?? noopConsensusMetrics;
 * ```
 */
export const noopConsensusMetrics: ConsensusMetrics = Object.freeze({
  increment() {},
  observe() {},
});
