import type { RpcMethod } from "../defineMethod.ts";
import { debugGetRawBlock } from "./debugGetRawBlock.ts";
import { debugGetRawHeader } from "./debugGetRawHeader.ts";
import { debugGetRawReceipts } from "./debugGetRawReceipts.ts";
import { debugTraceTransaction } from "./debugTraceTransaction.ts";
import { ethAccounts } from "./ethAccounts.ts";
import { ethBlockNumber } from "./ethBlockNumber.ts";
import { ethCall } from "./ethCall.ts";
import { ethChainId } from "./ethChainId.ts";
import { ethCreateAccessList } from "./ethCreateAccessList.ts";
import { ethEstimateGas } from "./ethEstimateGas.ts";
import { ethFeeHistory } from "./ethFeeHistory.ts";
import { ethGasPrice } from "./ethGasPrice.ts";
import { ethGetBalance } from "./ethGetBalance.ts";
import { ethGetBlockByHash } from "./ethGetBlockByHash.ts";
import { ethGetBlockByNumber } from "./ethGetBlockByNumber.ts";
import { ethGetBlockReceipts } from "./ethGetBlockReceipts.ts";
import { ethGetBlockTransactionCountByHash } from "./ethGetBlockTransactionCountByHash.ts";
import { ethGetBlockTransactionCountByNumber } from "./ethGetBlockTransactionCountByNumber.ts";
import { ethGetCode } from "./ethGetCode.ts";
import { ethGetFilterChanges } from "./ethGetFilterChanges.ts";
import { ethGetFilterLogs } from "./ethGetFilterLogs.ts";
import { ethGetLogs } from "./ethGetLogs.ts";
import { ethGetProof } from "./ethGetProof.ts";
import { ethGetStorageAt } from "./ethGetStorageAt.ts";
import { ethGetTransactionByBlockHashAndIndex } from "./ethGetTransactionByBlockHashAndIndex.ts";
import { ethGetTransactionByBlockNumberAndIndex } from "./ethGetTransactionByBlockNumberAndIndex.ts";
import { ethGetTransactionByHash } from "./ethGetTransactionByHash.ts";
import { ethGetTransactionCount } from "./ethGetTransactionCount.ts";
import { ethGetTransactionReceipt } from "./ethGetTransactionReceipt.ts";
import { ethMaxPriorityFeePerGas } from "./ethMaxPriorityFeePerGas.ts";
import { ethNewBlockFilter } from "./ethNewBlockFilter.ts";
import { ethNewFilter } from "./ethNewFilter.ts";
import { ethNewPendingTransactionFilter } from "./ethNewPendingTransactionFilter.ts";
import { ethSendRawTransaction } from "./ethSendRawTransaction.ts";
import { ethSubscribe } from "./ethSubscribe.ts";
import { ethSyncing } from "./ethSyncing.ts";
import { ethUninstallFilter } from "./ethUninstallFilter.ts";
import { ethUnsubscribe } from "./ethUnsubscribe.ts";
import { netListening } from "./netListening.ts";
import { netPeerCount } from "./netPeerCount.ts";
import { netVersion } from "./netVersion.ts";
import { web3ClientVersion } from "./web3ClientVersion.ts";

/**
 * Every JSON-RPC method the node serves.
 *
 * @example
 * ```ts
 * const byName = new Map(rpcMethods.map((m) => [m.name, m]));
 * ```
 */
export const rpcMethods: readonly RpcMethod[] = [
  web3ClientVersion,
  netVersion,
  ethChainId,
  ethBlockNumber,
  ethGetBalance,
  ethGetCode,
  ethGetStorageAt,
  ethGetTransactionCount,
  ethCall,
  ethEstimateGas,
  ethGasPrice,
  ethMaxPriorityFeePerGas,
  ethFeeHistory,
  ethSendRawTransaction,
  ethGetTransactionByHash,
  ethGetTransactionReceipt,
  ethGetBlockByNumber,
  ethGetBlockByHash,
  ethGetLogs,
  ethSyncing,
  ethAccounts,
  ethSubscribe,
  ethUnsubscribe,
  netListening,
  netPeerCount,
  ethGetBlockReceipts,
  ethGetBlockTransactionCountByHash,
  ethGetBlockTransactionCountByNumber,
  ethGetTransactionByBlockHashAndIndex,
  ethGetTransactionByBlockNumberAndIndex,
  ethNewFilter,
  ethNewBlockFilter,
  ethNewPendingTransactionFilter,
  ethGetFilterChanges,
  ethGetFilterLogs,
  ethUninstallFilter,
  ethCreateAccessList,
  ethGetProof,
  debugTraceTransaction,
  debugGetRawHeader,
  debugGetRawReceipts,
  debugGetRawBlock,
];
