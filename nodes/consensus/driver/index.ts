/**
 * The QBFT consensus driver: one node's core, its event queue, and the ports through which
 * it reaches the chain, the network, block sync, its signing record and time. Imports only
 * the core (nodes/consensus/core); the node wiring implements the ports.
 *
 * @packageDocumentation
 */
export { blockPeriodWaitMs } from "./blockPeriodWaitMs.ts";
export type { ConsensusChain, ConsensusChainHead } from "./ConsensusChain.ts";
export { type ConsensusLogger, silentConsensusLogger } from "./ConsensusLogger.ts";
export {
  type ConsensusMetricLabels,
  type ConsensusMetrics,
  noopConsensusMetrics,
} from "./ConsensusMetrics.ts";
export type { ConsensusMessageHandler, ConsensusNetwork } from "./ConsensusNetwork.ts";
export type { ConsensusSync } from "./ConsensusSync.ts";
export type { ConsensusTimer, ConsensusTimers } from "./ConsensusTimers.ts";
export {
  createFileSigningRecordStore,
  SIGNING_RECORD_FILE,
} from "./createFileSigningRecordStore.ts";
export { createQbftDriver } from "./createQbftDriver.ts";
export type { QbftDriver } from "./QbftDriver.ts";
export {
  defaultQbftDriverOptions,
  type QbftDriverOptions,
  type QbftDriverPorts,
} from "./QbftDriverOptions.ts";
export type {
  DriverDropReason,
  QbftDriverStatus,
  ReceivedMessageType,
} from "./QbftDriverStatus.ts";
export type { SigningRecordStore } from "./SigningRecordStore.ts";
export { decodeSigningRecordFile, encodeSigningRecordFile } from "./signingRecordFile.ts";
export { systemConsensusTimers } from "./systemConsensusTimers.ts";
