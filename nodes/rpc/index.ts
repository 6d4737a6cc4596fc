export { type BlockId, blockIdParam, findBlock, resolveBlock } from "./BlockId.ts";
export { callFailureError } from "./callFailureError.ts";
export {
  createRpcDispatcher,
  type RpcDispatcher,
  type RpcDispatcherOptions,
  type RpcObserver,
  type RpcResponse,
} from "./createRpcDispatcher.ts";
export { createRpcMetrics, type RpcMetrics, type RpcMetricsOptions } from "./createRpcMetrics.ts";
export {
  type CreateRpcServerArgs,
  createRpcServer,
  type RpcLogger,
  type RpcServer,
} from "./createRpcServer.ts";
export { defineMethod, type RpcMethod, type RpcMethodSpec } from "./defineMethod.ts";
export {
  createFilterRegistry,
  defaultFilterRegistryOptions,
  type FilterChanges,
  type FilterKind,
  type FilterRegistry,
  type FilterRegistryOptions,
  filterIdKey,
} from "./FilterRegistry.ts";
export { formatBlock } from "./formatBlock.ts";
export { formatCallFrame } from "./formatCallFrame.ts";
export { formatHeader } from "./formatHeader.ts";
export { formatLog } from "./formatLog.ts";
export { blockLogs, formatReceipt } from "./formatReceipt.ts";
export { effectiveGasPrice, formatTransaction } from "./formatTransaction.ts";
export { JsonList, type RpcResult } from "./JsonList.ts";
export type { JsonValue } from "./JsonValue.ts";
export { matchesLogFilter } from "./matchesLogFilter.ts";
export { rpcMethods } from "./methods/rpcMethods.ts";
export type {
  AccessListEntry,
  AccessListResult,
  AccountProof,
  AccountState,
  BlockExecutedEvent,
  CallFailure,
  CallFrame,
  CallFrameType,
  CallRequest,
  CallResult,
  ConsensusMetricsSnapshot,
  CounterSeries,
  GasEstimate,
  IndexedLog,
  LogFilter,
  NodeApi,
  NodeMetricsSnapshot,
  StorageSlotProof,
  StoredReceipt,
  SyncStatus,
  TraceOptions,
  TransactionLocation,
} from "./NodeApi.ts";
export { assertFilterAddresses, queryLogs } from "./queryLogs.ts";
export type { RpcContext } from "./RpcContext.ts";
export type { RpcId } from "./RpcId.ts";
export {
  defaultRpcServerOptions,
  type RpcLimits,
  type RpcServerOptions,
} from "./rpcServerOptions.ts";
export {
  createSubscriptionRegistry,
  type SubscriptionKind,
  type SubscriptionRegistry,
  type SubscriptionRegistryOptions,
  type SubscriptionRequest,
} from "./SubscriptionRegistry.ts";
export { type RpcErrorObject, toRpcError } from "./toRpcError.ts";
