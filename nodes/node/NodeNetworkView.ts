import type { QbftDriverStatus } from "../consensus/driver/index.ts";
import type { CounterSeries, SyncStatus } from "../rpc/index.ts";

/** The network side of a running node, as its RPC server, metrics and status see it. */
export interface NodeNetworkView {
  /** Peers that completed the handshake. */
  peers(): number;
  /** eth_syncing's answer: false, or the range a running sync covers. */
  syncing(): SyncStatus;
  /** Consensus runs and the node is not syncing (`/readiness`). */
  ready(): boolean;
  /** The consensus driver's status (height, round, proposer, message counts). */
  consensus(): QbftDriverStatus;
  /** The p2p network's counters (gater decisions, handshakes, penalties, …). */
  p2pCounters(): readonly CounterSeries[];
}
