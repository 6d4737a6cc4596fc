export type { CallExecutor, GasEstimateOutcome } from "./CallExecutor.ts";
export { canonicalBlockHashes } from "./canonicalBlockHashes.ts";
export {
  type AccessListItem,
  type AccessListOutcome,
  createAccessList,
  type ReplayContext,
} from "./createAccessList.ts";
export {
  type BlockStateManager,
  type BlockStateManagerOptions,
  createBlockStateManager,
} from "./createBlockStateManager.ts";
export {
  type CallPool,
  type CallPoolOptions,
  type CallPoolPorts,
  createCallPool,
  defaultCallPoolOptions,
} from "./createCallPool.ts";
export {
  CUSTOS_HARDFORK,
  type CustosCommonOptions,
  createCustosCommon,
} from "./createCustosCommon.ts";
export { createExecutionEngine } from "./createExecutionEngine.ts";
export {
  createReplayPool,
  defaultReplayPoolOptions,
  type ReplayPool,
  type ReplayPoolOptions,
} from "./createReplayPool.ts";
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
  ExecuteBlockOptions,
  ExecutedBlock,
  ExecutionEngine,
  RejectedTransaction,
} from "./ExecutionEngine.ts";
export {
  defaultExecutionEngineOptions,
  type ExecutionEngineOptions,
} from "./ExecutionEngineOptions.ts";
export type { HeaderRule, HeaderRuleContext } from "./HeaderRule.ts";
export {
  type EvmPatchOptions,
  installEvmPatches,
  PINNED_EVM_VERSION,
  setEvmPatches,
} from "./installEvmPatches.ts";
export { loadNativeCrypto, type NodeCrypto } from "./loadNativeCrypto.ts";
export { MAX_TX_GAS } from "./maxTxGas.ts";
export { OwnedStorageStateManager } from "./OwnedStorageStateManager.ts";
export { RecoveredKeyMemo, type RecoveryItem } from "./RecoveredKeyMemo.ts";
export { callIntrinsicGas, decodeRevertReason, runMessageCall } from "./runMessageCall.ts";
export type { AccessListRequest } from "./StateJob.ts";
export {
  StateWorkerPool,
  type StateWorkerPoolOptions,
  type StateWorkerPoolPorts,
} from "./StateWorkerPool.ts";
export { searchCallGas } from "./searchCallGas.ts";
export { smallerBigInt } from "./smallerBigInt.ts";
export { type TracedFrame, traceTransaction } from "./traceTransaction.ts";
