import { defaultQbftRoundTimeout, type QbftRoundTimeoutSettings } from "../core/index.ts";

/** An inclusive range of virtual milliseconds, drawn uniformly. */
export type SimRange = readonly [min: number, max: number];

/** How long things take in virtual time (milliseconds). */
export interface SimTimings {
  /** The cores' round timeouts (the product's defaults: 2 s doubling, capped at 16 s). */
  readonly roundTimeout: QbftRoundTimeoutSettings;
  /** A proposer's block is not ready before this long after its parent was imported. */
  readonly blockPeriodMs: number;
  /** Building and executing a block the core asked for. */
  readonly buildMs: SimRange;
  /** Re-executing a proposed block. */
  readonly validateMs: SimRange;
  /** One block-sync exchange with a peer. */
  readonly syncMs: SimRange;
  /**
   * Every node tells every peer its chain head this often (a status heartbeat, as peers
   * exchange on connecting and on new blocks); a peer behind it then syncs.
   */
  readonly statusEveryMs: number;
  /** One-way latency of every message: reordering comes from its spread. */
  readonly latencyMs: SimRange;
  /** The extra delay of a slow message (only while faults last). */
  readonly slowMs: SimRange;
}

/**
 * The timings of every run unless overridden: the product's round timeouts, a 1 s block
 * period, 5–50 ms to build a block, 2–30 ms to validate one, 20–200 ms per sync exchange,
 * a status heartbeat every 2 s, 1–40 ms latency and 0.1–3 s for slow messages.
 *
 * @example
 * ```ts
 * runQbftSimulation({ validators: 4, seed: 1, heights: 6, timings: { ...defaultSimTimings, blockPeriodMs: 500 } });
 * ```
 */
export const defaultSimTimings: SimTimings = Object.freeze({
  roundTimeout: defaultQbftRoundTimeout,
  blockPeriodMs: 1_000,
  buildMs: [5, 50],
  validateMs: [2, 30],
  syncMs: [20, 200],
  statusEveryMs: 2_000,
  latencyMs: [1, 40],
  slowMs: [100, 3_000],
} as const);
