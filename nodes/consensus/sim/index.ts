export { describeSimFaultPlan } from "./describeSimFaultPlan.ts";
export { qbftMessageMaker, type Wire } from "./qbftMessageMaker.ts";
export { runQbftSimulation } from "./runQbftSimulation.ts";
export { SimBlockRegistry } from "./SimBlockRegistry.ts";
export { SimByzantine, type SimByzantineOptions, type SimByzantineView } from "./SimByzantine.ts";
export { drawSimByzantineTactics, type SimByzantineTactics } from "./SimByzantineTactics.ts";
export { SimCheckers, type SimCheckersContext } from "./SimCheckers.ts";
export { qbftSimCore, type SimCore } from "./SimCore.ts";
export { defaultSimFaultBudget, type SimFaultBudget } from "./SimFaultBudget.ts";
export {
  checkSimFaultPlan,
  planSimFaults,
  type SimCrash,
  type SimFaultPlan,
  type SimLinkCut,
  type SimPartition,
} from "./SimFaultPlan.ts";
export { SimNetwork } from "./SimNetwork.ts";
export { SIM_GENESIS, SimNode, type SimRole, type SimStoredBlock } from "./SimNode.ts";
export { resolveSimOptions, type SimOptions, type SimSettings } from "./SimOptions.ts";
export { SimQueue } from "./SimQueue.ts";
export { SimRandom } from "./SimRandom.ts";
export type { SimFaultSummary, SimResult } from "./SimResult.ts";
export { type SimSummary, SimTally } from "./SimTally.ts";
export { defaultSimTimings, type SimRange, type SimTimings } from "./SimTimings.ts";
export { SimTrace } from "./SimTrace.ts";
export { isSimSafetyViolation, type SimViolation, type SimViolationKind } from "./SimViolation.ts";
export { simLivenessBoundMs } from "./simLivenessBoundMs.ts";
export {
  createToyQbftBlock,
  type ToyBlockFields,
  type ToyQbftBlock,
  type ToyQbftBlockCodec,
  toyQbftBlockCodec,
} from "./toyQbftBlock.ts";
export { createToyQbftCrypto, type ToyQbftCrypto } from "./toyQbftCrypto.ts";
