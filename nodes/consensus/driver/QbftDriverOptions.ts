import { CustosError } from "../../../src/errors/index.ts";
import type { QbftConfig } from "../core/index.ts";
import type { ConsensusChain } from "./ConsensusChain.ts";
import { type ConsensusLogger, silentConsensusLogger } from "./ConsensusLogger.ts";
import { type ConsensusMetrics, noopConsensusMetrics } from "./ConsensusMetrics.ts";
import type { ConsensusNetwork } from "./ConsensusNetwork.ts";
import type { ConsensusSync } from "./ConsensusSync.ts";
import type { ConsensusTimers } from "./ConsensusTimers.ts";
import type { SigningRecordStore } from "./SigningRecordStore.ts";

/** Settings of one driver. */
export interface QbftDriverOptions {
  /** The core's configuration; its signer (or none, for an observer) decides whether this node votes. */
  readonly config: QbftConfig;
  /** The chain's block period in whole seconds (≥ 1): see {@link blockPeriodWaitMs}. */
  readonly blockPeriodSeconds: number;
  /** Network messages waiting in the queue beyond which new ones are dropped (`queueFull`). */
  readonly maxQueuedMessages?: number;
  /** Wait before trying a failed commit or an unfinished sync again, in ms. */
  readonly retryMs?: number;
  /** Recent message hashes whose sender is remembered, to penalise a fault found later. */
  readonly sendersRemembered?: number;
}

/** The driver's ports: everything it does outside its own memory goes through one of them. */
export interface QbftDriverPorts {
  readonly chain: ConsensusChain;
  readonly network: ConsensusNetwork;
  readonly sync: ConsensusSync;
  readonly store: SigningRecordStore;
  readonly timers: ConsensusTimers;
  readonly logger?: ConsensusLogger;
  readonly metrics?: ConsensusMetrics;
}

/**
 * Defaults of {@link QbftDriverOptions}: 8,192 queued messages (a few heights of traffic of
 * a large set), retries after 1 s, 8,192 remembered senders (above what the core buffers for
 * future heights with its default bounds, 8 × 256).
 */
export const defaultQbftDriverOptions = Object.freeze({
  maxQueuedMessages: 8192,
  retryMs: 1000,
  sendersRemembered: 8192,
});

/** Options with every default filled in, and the ports with theirs. */
export interface ResolvedQbftDriver {
  readonly config: QbftConfig;
  readonly blockPeriodSeconds: number;
  readonly maxQueuedMessages: number;
  readonly retryMs: number;
  readonly sendersRemembered: number;
  readonly ports: Required<QbftDriverPorts>;
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", `${field} must be a positive integer`, {
      details: { field, value },
    });
  }
  return value;
}

/**
 * Checks the driver's settings and fills in the defaults.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` when a setting is not a positive integer.
 * @example
 * ```ts
 * const resolved = resolveQbftDriverOptions({ config, blockPeriodSeconds: 1 }, ports);
 * ```
 */
export function resolveQbftDriverOptions(
  options: QbftDriverOptions,
  ports: QbftDriverPorts,
): ResolvedQbftDriver {
  return {
    config: options.config,
    blockPeriodSeconds: positiveInteger(options.blockPeriodSeconds, "blockPeriodSeconds"),
    maxQueuedMessages: positiveInteger(
      options.maxQueuedMessages ?? defaultQbftDriverOptions.maxQueuedMessages,
      "maxQueuedMessages",
    ),
    retryMs: positiveInteger(options.retryMs ?? defaultQbftDriverOptions.retryMs, "retryMs"),
    sendersRemembered: positiveInteger(
      options.sendersRemembered ?? defaultQbftDriverOptions.sendersRemembered,
      "sendersRemembered",
    ),
    ports: {
      ...ports,
      logger: ports.logger ?? silentConsensusLogger,
      metrics: ports.metrics ?? noopConsensusMetrics,
    },
  };
}
