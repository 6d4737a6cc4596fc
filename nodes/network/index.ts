export { type Address, normaliseAddress } from "./Address.ts";
export { addressOfPeerId } from "./addressOfPeerId.ts";
export {
  type CountedSeries,
  type CountingMetrics,
  createCountingMetrics,
} from "./createCountingMetrics.ts";
export { createP2pNetwork } from "./createP2pNetwork.ts";
export { type NetworkLogger, silentNetworkLogger } from "./NetworkLogger.ts";
export { type MetricLabels, type NetworkMetrics, noopNetworkMetrics } from "./NetworkMetrics.ts";
export type {
  ConsensusHandler,
  P2pNetwork,
  PeerHeadHandler,
  PeerSummary,
  SyncRequestOptions,
  SyncServer,
  TransactionsHandler,
} from "./P2pNetwork.ts";
export {
  defaultP2pLimits,
  defaultP2pTimeouts,
  type P2pLimits,
  type P2pNetworkOptions,
  type P2pTimeouts,
} from "./P2pNetworkOptions.ts";
export {
  defaultScoringPolicy,
  type PenaltyReason,
  penaltyPoints,
  type ScoringPolicy,
} from "./PeerScores.ts";
export { peerIdOfNodeKey } from "./peerIdOfNodeKey.ts";
export { type ProtocolName, protocols } from "./protocols.ts";
export { defaultReconnectPolicy, type ReconnectPolicy } from "./Redialer.ts";
export type { ChainHead } from "./wire/headMessage.ts";
