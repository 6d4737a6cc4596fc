export { canonicalBlockHashes } from "./canonicalBlockHashes.ts";
export {
  type BlockStateManager,
  type BlockStateManagerOptions,
  createBlockStateManager,
} from "./createBlockStateManager.ts";
export {
  CUSTOS_HARDFORK,
  type CustosCommonOptions,
  createCustosCommon,
} from "./createCustosCommon.ts";
export {
  createExecutionEngine,
  defaultExecutionEngineOptions,
  type ExecutionEngineOptions,
} from "./createExecutionEngine.ts";
export {
  createTransientEvm,
  createTransientVm,
  type TransientVmOptions,
} from "./createTransientVm.ts";
export type {
  AccountState,
  BuildBlockOptions,
  BuiltBlock,
  CallRequest,
  CallResult,
  ExecutedBlock,
  ExecutionEngine,
  RejectedTransaction,
} from "./ExecutionEngine.ts";
export {
  installFastInterpreterLoop,
  setFastInterpreterLoop,
} from "./installFastInterpreterLoop.ts";
export { installJumpAnalysisCache } from "./installJumpAnalysisCache.ts";
export { loadNativeCrypto, type NodeCrypto } from "./loadNativeCrypto.ts";
