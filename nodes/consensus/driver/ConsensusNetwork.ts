import type { QbftDropReason } from "../core/index.ts";

/** Receives one consensus message; `from` names the peer that sent it (opaque to the driver). */
export type ConsensusMessageHandler = (bytes: Uint8Array, from: string) => void;

/**
 * The network port: consensus messages point to point between validators. The node wiring
 * implements it with nodes/network's `P2pNetwork`: `send` → `sendToValidators` (addresses as
 * lower-case `0x` hex), `onMessage` → `onConsensusMessage` (its `from` address is the peer
 * name), `penalise` → `P2pNetwork.penalise` with a penalty reason chosen per drop reason
 * (`invalid-block` for `invalidBlock` and `badBlock`, `oversized-message` for `oversized`,
 * `malformed-message` for the decoding faults, `invalid-consensus-message` otherwise).
 *
 * @example
 * ```ts
 * const network: ConsensusNetwork = {
 *   send: (to, bytes) => void p2p.sendToValidators(to.map(bytesToHex), bytes),
 *   onMessage: (handler) => p2p.onConsensusMessage(handler),
 *   penalise: (from, reason) => void p2p.penalise(from, penaltyFor(reason)),
 * };
 * ```
 */
export interface ConsensusNetwork {
  /**
   * Queues `bytes` to each validator in `to` (20-byte addresses; never this node's own) that
   * is connected; must not throw and must not block (a slow peer is the network's problem).
   */
  send(to: readonly Uint8Array[], bytes: Uint8Array): void;
  /** Calls `handler` with every consensus message received; returns an unsubscribe. */
  onMessage(handler: ConsensusMessageHandler): () => void;
  /**
   * Scores down the peer `from` (as `onMessage` named it) for a message the core dropped as
   * a fault (`qbftDropIsFault[reason]`); must not throw.
   */
  penalise(from: string, reason: QbftDropReason): void;
}
