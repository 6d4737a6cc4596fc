import { describe, expect, it } from "vitest";
import { createRpcMetrics } from "../../../nodes/rpc/createRpcMetrics.ts";
import type { ConsensusMetricsSnapshot, CounterSeries } from "../../../nodes/rpc/index.ts";
import { createFakeNodeApi } from "./fakeNodeApi.ts";

function consensus(over: Partial<ConsensusMetricsSnapshot> = {}): ConsensusMetricsSnapshot {
  return {
    height: 12n,
    round: 1,
    roundChanges: 3,
    proposer: "0x00000000000000000000000000000000000000aa",
    validators: 4,
    voting: true,
    blocksCommitted: 11,
    lastCommitLatencyMs: 250,
    messagesReceived: { proposal: 11, prepare: 33, commit: 33, roundChange: 3, unknown: 0 },
    messagesSent: { proposal: 9, prepare: 33, commit: 33, roundChange: 6 },
    drops: { duplicate: 2 },
    evidence: 0,
    syncing: false,
    ...over,
  };
}

describe("consensus and p2p metrics", () => {
  it("exposes height, round, round changes, proposer, messages by type, commit latency and p2p counters", async () => {
    const fake = createFakeNodeApi();
    let snapshot = consensus();
    let counters: CounterSeries[] = [
      {
        name: "p2p_gater_decisions_total",
        labels: { decision: "refuse", reason: "not-allowed", direction: "inbound" },
        value: 2,
      },
      { name: "p2p_bans_total", labels: {}, value: 1 },
    ];
    const api = {
      ...fake,
      metrics: () => ({ ...fake.metrics(), consensus: snapshot, counters }),
    };
    const metrics = createRpcMetrics({ api, prefix: "custos_", processMetrics: false });
    try {
      const text = await metrics.exposition();
      expect(text).toMatch(/^custos_consensus_height 12$/m);
      expect(text).toMatch(/^custos_consensus_round 1$/m);
      expect(text).toMatch(/^custos_consensus_round_changes_total 3$/m);
      expect(text).toMatch(
        /^custos_consensus_proposer\{address="0x00000000000000000000000000000000000000aa"\} 1$/m,
      );
      expect(text).toMatch(/^custos_consensus_messages_sent_total\{type="prepare"\} 33$/m);
      expect(text).toMatch(/^custos_consensus_messages_received_total\{type="roundChange"\} 3$/m);
      expect(text).toMatch(/^custos_consensus_messages_dropped_total\{reason="duplicate"\} 2$/m);
      expect(text).toMatch(/^custos_consensus_commit_latency_seconds 0.25$/m);
      expect(text).toMatch(/^custos_consensus_validators 4$/m);
      expect(text).toMatch(
        /^custos_p2p_gater_decisions_total\{decision="refuse",reason="not-allowed",direction="inbound"\} 2$/m,
      );
      expect(text).toMatch(/^# TYPE custos_p2p_bans_total counter\ncustos_p2p_bans_total 1$/m);
      // Counters only grow, from the running totals; the proposer series follows the round.
      snapshot = consensus({
        roundChanges: 5,
        proposer: "0x00000000000000000000000000000000000000bb",
      });
      counters = [{ ...(counters[0] as CounterSeries), value: 3 }];
      const later = await metrics.exposition();
      expect(later).toMatch(/^custos_consensus_round_changes_total 5$/m);
      expect(later).not.toContain("0x00000000000000000000000000000000000000aa");
      expect(later).toMatch(/custos_p2p_gater_decisions_total\{[^}]*\} 3$/m);
    } finally {
      metrics.close();
    }
  });

  it("has no consensus samples on a single node", async () => {
    const metrics = createRpcMetrics({
      api: createFakeNodeApi(),
      prefix: "custos_",
      processMetrics: false,
    });
    try {
      const text = await metrics.exposition();
      expect(text).not.toMatch(/^custos_consensus_height \d/m);
      expect(text).not.toContain("custos_p2p_");
    } finally {
      metrics.close();
    }
  });
});
