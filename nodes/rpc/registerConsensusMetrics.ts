import { Counter, Gauge, type Registry } from "prom-client";
import type { ConsensusMetricsSnapshot, NodeApi } from "./NodeApi.ts";

type Totals = (consensus: ConsensusMetricsSnapshot) => Readonly<Record<string, number>>;

/** A counter fed at scrape time from a running total per label value (one unlabelled total when `label` is undefined). */
function totalsCounter(
  registry: Registry,
  name: string,
  help: string,
  label: string | undefined,
  api: NodeApi,
  totals: Totals,
): void {
  const reported = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: label === undefined ? [] : [label],
    registers: [registry],
    collect() {
      const consensus = api.metrics().consensus;
      if (consensus === undefined) return;
      for (const [value, total] of Object.entries(totals(consensus))) {
        const before = reported.get(value) ?? 0;
        if (total > before) {
          if (label === undefined) this.inc(total - before);
          else this.inc({ [label]: value }, total - before);
        }
        reported.set(value, total);
      }
    },
  });
}

/** A gauge of one consensus figure, absent (no sample) on a single node. */
function consensusGauge(
  registry: Registry,
  name: string,
  help: string,
  api: NodeApi,
  read: (consensus: ConsensusMetricsSnapshot) => number | undefined,
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const consensus = api.metrics().consensus;
      const value = consensus === undefined ? undefined : read(consensus);
      if (value !== undefined) this.set(value);
    },
  });
}

/**
 * Registers QBFT consensus metrics, read from `api.metrics().consensus` at scrape time (no
 * samples on a single node): the height being decided, round, rounds changed, the current
 * proposer (a 1-valued series labelled by address), validator count, whether this node
 * votes, blocks committed, the last commit latency, messages received and sent by type,
 * drops by reason, equivocations and sync state.
 *
 * @example
 * ```ts
 * registerConsensusMetrics(registry, "custos_", api);
 * ```
 */
export function registerConsensusMetrics(registry: Registry, prefix: string, api: NodeApi): void {
  const gauges: [string, string, (c: ConsensusMetricsSnapshot) => number | undefined][] = [
    ["consensus_height", "Height QBFT is deciding.", (c) => Number(c.height)],
    ["consensus_round", "Round of the height being decided.", (c) => c.round],
    ["consensus_validators", "Validators of the height being decided.", (c) => c.validators],
    ["consensus_voting", "1 when this node votes at the current height.", (c) => +c.voting],
    ["consensus_syncing", "1 while blocks are synced from peers.", (c) => +c.syncing],
    [
      "consensus_commit_latency_seconds",
      "Time from the last committed height's due moment to its commit.",
      (c) => (c.lastCommitLatencyMs === undefined ? undefined : c.lastCommitLatencyMs / 1000),
    ],
  ];
  for (const [name, help, read] of gauges) {
    consensusGauge(registry, `${prefix}${name}`, help, api, read);
  }
  const counters: [string, string, (c: ConsensusMetricsSnapshot) => number][] = [
    [
      "consensus_round_changes_total",
      "Rounds moved within a height (timeouts and round skips).",
      (c) => c.roundChanges,
    ],
    [
      "consensus_blocks_committed_total",
      "Blocks this node committed through consensus (synced blocks not counted).",
      (c) => c.blocksCommitted,
    ],
    [
      "consensus_evidence_total",
      "Equivocations detected (both signed messages kept in the log).",
      (c) => c.evidence,
    ],
  ];
  for (const [name, help, read] of counters) {
    totalsCounter(registry, `${prefix}${name}`, help, undefined, api, (c) => ({ "": read(c) }));
  }
  const proposer = new Gauge({
    name: `${prefix}consensus_proposer`,
    help: "Proposer of the current round: 1 on the series labelled with its address.",
    labelNames: ["address"],
    registers: [registry],
    collect() {
      const current = api.metrics().consensus?.proposer;
      this.reset();
      if (current !== undefined) this.set({ address: current }, 1);
    },
  });
  proposer.reset();
  totalsCounter(
    registry,
    `${prefix}consensus_messages_received_total`,
    "Consensus messages received by type.",
    "type",
    api,
    (c) => c.messagesReceived,
  );
  totalsCounter(
    registry,
    `${prefix}consensus_messages_sent_total`,
    "Consensus messages sent by type, one per recipient.",
    "type",
    api,
    (c) => c.messagesSent,
  );
  totalsCounter(
    registry,
    `${prefix}consensus_messages_dropped_total`,
    "Consensus messages dropped by reason.",
    "reason",
    api,
    (c) => c.drops,
  );
}
