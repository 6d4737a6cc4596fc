import { QBFT_MESSAGE_CODES, type QbftMessageType } from "../core/index.ts";
import type { ConsensusMetrics } from "./ConsensusMetrics.ts";
import type {
  DriverDropReason,
  QbftDriverStatus,
  ReceivedMessageType,
} from "./QbftDriverStatus.ts";

const TYPE_OF_CODE = new Map<number, QbftMessageType>(
  Object.entries(QBFT_MESSAGE_CODES).map(([type, code]) => [code, type as QbftMessageType]),
);

/** Operations whose failures are counted. */
export type DriverOperation = "build" | "validate" | "commit" | "sync" | "step";

/** The counting part of {@link QbftDriverStatus}. */
export type DriverCounts = Pick<
  QbftDriverStatus,
  | "lastCommitAt"
  | "lastCommitLatencyMs"
  | "blocksCommitted"
  | "roundChanges"
  | "messagesReceived"
  | "messagesSent"
  | "drops"
  | "evidence"
>;

/**
 * What the driver counts: kept for `status()` and passed on to the metrics sink as it
 * happens (series listed on {@link ConsensusMetrics}).
 *
 * @example
 * ```ts
 * counters.received(bytes);
 * counters.snapshot().messagesReceived.prepare;
 * ```
 */
export class DriverCounters {
  readonly #metrics: ConsensusMetrics;
  readonly #received: Record<ReceivedMessageType, number> = {
    proposal: 0,
    prepare: 0,
    commit: 0,
    roundChange: 0,
    unknown: 0,
  };
  readonly #sent: Record<QbftMessageType, number> = {
    proposal: 0,
    prepare: 0,
    commit: 0,
    roundChange: 0,
  };
  readonly #drops: Partial<Record<DriverDropReason, number>> = {};
  #roundChanges = 0;
  #evidence = 0;
  #blocksCommitted = 0;
  #lastCommitAt: number | undefined;
  #lastCommitLatencyMs: number | undefined;

  constructor(metrics: ConsensusMetrics) {
    this.#metrics = metrics;
  }

  /** A message arrived; its kind is read from its code byte. */
  received(bytes: Uint8Array): void {
    const type = TYPE_OF_CODE.get(bytes[0] ?? -1) ?? "unknown";
    this.#received[type]++;
    this.#metrics.increment("consensus_messages_received_total", { type });
  }

  /** A message of `type` went to `recipients` validators. */
  sent(type: QbftMessageType, recipients: number): void {
    if (recipients === 0) return;
    this.#sent[type] += recipients;
    this.#metrics.increment("consensus_messages_sent_total", { type }, recipients);
  }

  dropped(reason: DriverDropReason): void {
    this.#drops[reason] = (this.#drops[reason] ?? 0) + 1;
    this.#metrics.increment("consensus_messages_dropped_total", { reason });
  }

  /** The core moved `rounds` rounds forward within its height. */
  roundChanged(rounds: number): void {
    this.#roundChanges += rounds;
    this.#metrics.increment("consensus_round_changes_total", {}, rounds);
  }

  evidenceFound(type: QbftMessageType): void {
    this.#evidence++;
    this.#metrics.increment("consensus_evidence_total", { type });
  }

  /** This node imported a block it committed, at `at`, `latencyMs` after its height was due. */
  committed(at: number, latencyMs: number | undefined): void {
    this.#blocksCommitted++;
    this.#lastCommitAt = at;
    this.#metrics.increment("consensus_blocks_committed_total");
    if (latencyMs === undefined) return;
    this.#lastCommitLatencyMs = latencyMs;
    this.#metrics.observe("consensus_commit_latency_seconds", latencyMs / 1000);
  }

  failed(operation: DriverOperation): void {
    this.#metrics.increment("consensus_failures_total", { operation });
  }

  synced(outcome: "reached" | "short" | "failed"): void {
    this.#metrics.increment("consensus_syncs_total", { outcome });
  }

  /** Copies of the counts. */
  snapshot(): DriverCounts {
    return {
      lastCommitAt: this.#lastCommitAt,
      lastCommitLatencyMs: this.#lastCommitLatencyMs,
      blocksCommitted: this.#blocksCommitted,
      roundChanges: this.#roundChanges,
      messagesReceived: { ...this.#received },
      messagesSent: { ...this.#sent },
      drops: { ...this.#drops },
      evidence: this.#evidence,
    };
  }
}
