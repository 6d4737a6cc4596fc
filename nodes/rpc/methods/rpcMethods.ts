import type { RpcMethod } from "../defineMethod.ts";
import { ethAccounts } from "./ethAccounts.ts";
import { ethBlockNumber } from "./ethBlockNumber.ts";
import { ethCall } from "./ethCall.ts";
import { ethChainId } from "./ethChainId.ts";
import { ethEstimateGas } from "./ethEstimateGas.ts";
import { ethFeeHistory } from "./ethFeeHistory.ts";
import { ethGasPrice } from "./ethGasPrice.ts";
import { ethGetBalance } from "./ethGetBalance.ts";
import { ethGetBlockByHash } from "./ethGetBlockByHash.ts";
import { ethGetBlockByNumber } from "./ethGetBlockByNumber.ts";
import { ethGetCode } from "./ethGetCode.ts";
import { ethGetLogs } from "./ethGetLogs.ts";
import { ethGetStorageAt } from "./ethGetStorageAt.ts";
import { ethGetTransactionByHash } from "./ethGetTransactionByHash.ts";
import { ethGetTransactionCount } from "./ethGetTransactionCount.ts";
import { ethGetTransactionReceipt } from "./ethGetTransactionReceipt.ts";
import { ethMaxPriorityFeePerGas } from "./ethMaxPriorityFeePerGas.ts";
import { ethSendRawTransaction } from "./ethSendRawTransaction.ts";
import { ethSubscribe } from "./ethSubscribe.ts";
import { ethSyncing } from "./ethSyncing.ts";
import { ethUnsubscribe } from "./ethUnsubscribe.ts";
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
];
