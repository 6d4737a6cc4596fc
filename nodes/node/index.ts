export { assertBlockSenders } from "./assertBlockSenders.ts";
export { type Clock, systemClock } from "./Clock.ts";
export {
  type BlockProducer,
  type BlockProducerOptions,
  type BlockProducerPorts,
  createBlockProducer,
  defaultBlockProducerOptions,
} from "./createBlockProducer.ts";
export { createMembership, type Membership, type MembershipOptions } from "./createMembership.ts";
export { createNodeApi, type LocalNodeApi, type NodeApiOptions } from "./createNodeApi.ts";
export {
  type DevChain,
  type DevChainParameters,
  type DevKeysFile,
  devChainFiles,
  loadDevChain,
  writeDevKeys,
} from "./loadDevChain.ts";
export { readValidatorKey, type ValidatorKey } from "./readValidatorKey.ts";
export {
  chainDirectories,
  type ReindexOptions,
  type ReindexReport,
  recoverInterruptedReindex,
  reindexChain,
} from "./reindexChain.ts";
export {
  type CustosNode,
  type NodeModules,
  type StartNodeOptions,
  startNode,
} from "./startNode.ts";
