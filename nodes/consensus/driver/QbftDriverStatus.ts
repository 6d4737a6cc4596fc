import type { QbftDropReason, QbftMessageType } from "../core/index.ts";

/** A received message's kind: its code byte, or `unknown` for any other first byte. */
export type ReceivedMessageType = QbftMessageType | "unknown";

/** Why the driver dropped a message: the core's reason, or its own full queue. */
export type DriverDropReason = QbftDropReason | "queueFull";

/**
 * What a driver is doing, for `/metrics` gauges, `/readiness` and `custos network status`.
 * Counters count from the driver's start.
 */
export interface QbftDriverStatus {
  /** Started and not stopped. */
  readonly running: boolean;
  /** A sync the core asked for (`behind`) has not reached its target yet. */
  readonly syncing: boolean;
  /** The error code that halted the driver (a signing record it could not save). */
  readonly failure: string | undefined;
  /** The height being decided (0 before start). */
  readonly height: bigint;
  readonly round: number;
  /** Proposer of the current round (undefined before start). */
  readonly proposer: Uint8Array | undefined;
  /** The validator set of the current height, ascending. */
  readonly validators: readonly Uint8Array[];
  /** This node signs at the current height. */
  readonly voting: boolean;
  /** The chain head the current height builds on. */
  readonly chainHeight: bigint;
  /** When this node's last own commit was imported, ms since the epoch. */
  readonly lastCommitAt: number | undefined;
  /**
   * Time from the moment its height's round 0 was due (the parent's import, or the end of
   * the block-period wait when later) to its import, in ms: what deciding cost, without the
   * deliberate block-period wait.
   */
  readonly lastCommitLatencyMs: number | undefined;
  /** Blocks this node committed itself (not those sync imported). */
  readonly blocksCommitted: number;
  /** Rounds moved within a height (timeouts and round skips). */
  readonly roundChanges: number;
  /** Every message that arrived, those the full queue dropped included. */
  readonly messagesReceived: Readonly<Record<ReceivedMessageType, number>>;
  /** One per recipient. */
  readonly messagesSent: Readonly<Record<QbftMessageType, number>>;
  /** Reasons never seen are absent. */
  readonly drops: Readonly<Partial<Record<DriverDropReason, number>>>;
  /** Equivocations reported. */
  readonly evidence: number;
  /** Events waiting in the queue. */
  readonly queued: number;
}
