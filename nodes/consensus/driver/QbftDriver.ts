import type { QbftDriverStatus } from "./QbftDriverStatus.ts";

/** One node's running QBFT consensus: a core, its event queue and its ports. */
export interface QbftDriver {
  /**
   * Loads the signing record, reads the chain head, creates the core (resuming from the
   * record) and starts taking messages. Resolves once the core runs; calling it again
   * returns the same promise.
   *
   * @throws CustosError `CONSENSUS_RECORD_CORRUPT` for a damaged record (the node must not
   *   vote on a guess); `CONSENSUS_RECORD_STORE_FAILED` when it cannot be read;
   *   `CONSENSUS_INPUT_INVALID` for a malformed chain head or validator set; `NODE_ABORTED`
   *   when `stop()` came first; the chain port's error when its head cannot be read.
   */
  start(): Promise<void>;
  /**
   * Stops: no more messages are taken, queued events are discarded, timers are cancelled,
   * in-flight work is aborted and awaited, and the event being processed finishes (a
   * `persist` under way completes; nothing after it is sent). Idempotent.
   */
  stop(): Promise<void>;
  /**
   * A peer's chain reached `height`: sync up to it, unless the chain or consensus is already
   * there. What a node that receives no consensus messages (an observer, a validator voted
   * out or not yet in, one partitioned away) follows the chain by; the core's own `behind`
   * covers a validator that hears f + 1 others at a higher height. Nothing before `start()`
   * resolves or after `stop()`.
   */
  catchUp(height: bigint): void;
  /** What the driver is doing, for metrics and status. */
  status(): QbftDriverStatus;
  /** For `/readiness`: running, not syncing, not halted. */
  ready(): boolean;
}
