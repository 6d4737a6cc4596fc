import { type Block, createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { equalsBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import type { ChainDb } from "../db/index.ts";
import type {
  CallResult as EngineCallResult,
  ExecutedBlock,
  ExecutionEngine,
} from "../execution/index.ts";
import {
  type BlockExecutedEvent,
  blockLogs,
  type CallFailure,
  type CallResult,
  type IndexedLog,
  type NodeApi,
} from "../rpc/index.ts";
import { decodeTransaction, type TxPool } from "../txpool/index.ts";

/** Inputs of {@link createNodeApi}. */
export interface NodeApiOptions {
  readonly common: Common;
  readonly chainDb: ChainDb;
  readonly engine: ExecutionEngine;
  readonly pool: TxPool;
  /** Value of web3_clientVersion, e.g. `custos/0.1.0/linux-x64/node-v22.23.3`. */
  readonly clientVersion: string;
  /** Largest raw transaction accepted by eth_sendRawTransaction. */
  readonly maxTxBytes: number;
  /** Smallest tip per gas the pool accepts; eth_maxPriorityFeePerGas suggests it. */
  readonly minTip: bigint;
  /** The chain's block period, to date the next block for gas estimates. */
  readonly blockPeriodSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** The node's RPC port plus the hook its block source calls after each commit. */
export interface LocalNodeApi extends NodeApi {
  /** Announces a committed block to subscribers and metrics. */
  blockCommitted(executed: ExecutedBlock, seconds: number): void;
}

function callResult(result: EngineCallResult): CallResult {
  const base = { returnData: result.returnData, gasUsed: result.gasUsed };
  let failure: CallFailure | undefined;
  if (result.revert !== undefined) {
    failure =
      result.revert.reason === undefined
        ? { kind: "revert", data: result.revert.data }
        : { kind: "revert", data: result.revert.data, reason: result.revert.reason };
  } else if (result.error !== undefined) {
    failure = { kind: "halt", reason: result.error };
  }
  return failure === undefined ? base : { ...base, failure };
}

function listeners<T>() {
  const set = new Set<(value: T) => void>();
  return {
    add(listener: (value: T) => void): () => void {
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(value: T): void {
      for (const listener of set) listener(value);
    },
  };
}

/**
 * The node as its RPC server sees it ({@link NodeApi}), over the chain database, the
 * execution engine and the transaction pool. Reads at a block use that block's state root;
 * transactions are decoded with the chain's rules and admitted by the pool (membership, nonce,
 * balance, replacement, capacity); subscribers hear of each block after its commit.
 *
 * Gas is estimated for the next block (number, timestamp and base fee of the block a
 * transaction sent now would run in) when asked at the head, so estimates for contracts whose
 * paths depend on the block hold when the transaction executes.
 *
 * `metrics().transactions` counts transactions committed since this process started (a
 * Prometheus counter that restarts with the process; rate() handles the reset).
 *
 * @throws CustosError `TXPOOL_*` from sendRawTransaction; `STATE_NOT_AVAILABLE` from state
 *   reads at a block whose state is not stored; `EXECUTION_REVERTED` is returned by
 *   estimateGas as a failure, not thrown.
 * @example
 * ```ts
 * const api = createNodeApi({ common, chainDb, engine, pool, clientVersion, maxTxBytes, minTip,
 *   blockPeriodSeconds: 1, now: Date.now });
 * const server = createRpcServer({ api });
 * ```
 */
export function createNodeApi(options: NodeApiOptions): LocalNodeApi {
  const { common, chainDb, engine, pool } = options;
  const heads = listeners<Block>();
  const logBatches = listeners<readonly IndexedLog[]>();
  const executions = listeners<BlockExecutedEvent>();
  let committedTransactions = 0n;

  /**
   * The block a transaction sent now would run in, on the head's state: gas estimates are for
   * that block, and contracts that read block.number or block.timestamp (governance states,
   * expiries) take other paths, with other gas, than in the head's own context.
   */
  function nextBlockContext(parent: Block): Block {
    const earliest = parent.header.timestamp + BigInt(options.blockPeriodSeconds);
    const now = BigInt(Math.floor(options.now() / 1000));
    return createBlock(
      {
        header: {
          parentHash: parent.hash(),
          number: parent.header.number + 1n,
          timestamp: now > earliest ? now : earliest,
          gasLimit: parent.header.gasLimit,
          baseFeePerGas: parent.header.calcNextBaseFee(),
          coinbase: parent.header.coinbase,
          stateRoot: parent.header.stateRoot,
        },
      },
      { common },
    );
  }

  function head(): Block {
    const block = chainDb.head();
    if (block === undefined) {
      throw new CustosError("INTERNAL", "the chain database has no head block");
    }
    return block;
  }

  return {
    chainId: () => common.chainId(),
    clientVersion: () => options.clientVersion,
    head,
    blockByNumber: (number) => chainDb.blockByNumber(number),
    blockByHash: (hash) => chainDb.blockByHash(hash),
    receipts: (blockHash) => chainDb.receipts(blockHash),
    receipt: (blockHash, index) => chainDb.receipt(blockHash, index),
    transactionLocation: (txHash) => chainDb.transactionLocation(txHash),
    pendingTransaction: (txHash) => pool.get(txHash),
    account: (address, block) => engine.account(address, block),
    code: (address, block) => engine.code(address, block),
    storageAt: (address, slot, block) => engine.storageAt(address, slot, block),
    async call(request, block) {
      return callResult(await engine.call(request, block));
    },
    async estimateGas(request, block) {
      const context = equalsBytes(block.hash(), head().hash()) ? nextBlockContext(block) : block;
      try {
        return { ok: true, gas: await engine.estimateGas(request, context) };
      } catch (error) {
        if (error instanceof CustosError && error.code === "EXECUTION_REVERTED") {
          // Re-run once at the cap to hand the RPC layer the revert data and reason.
          const failed = callResult(await engine.call(request, context));
          if (failed.failure !== undefined) return { ok: false, failure: failed.failure };
        }
        throw error;
      }
    },
    async sendRawTransaction(raw) {
      const tx = decodeTransaction(raw, { common, maxTxBytes: options.maxTxBytes });
      return (await pool.add(tx)).hash;
    },
    async logs(filter) {
      // The RPC layer asks for one log more than its cap and refuses a full answer; the
      // database refuses the same answer itself, with the same EIP-1474 code.
      const span = filter.toBlock - filter.fromBlock + 1n;
      return chainDb.logs(filter, {
        maxBlockRange: Number(span > 0n ? span : 1n),
        maxResults: Math.max(1, filter.limit - 1),
      });
    },
    async pendingNonce(address) {
      return pool.pendingNonce(address) ?? (await engine.account(address, head())).nonce;
    },
    gasPrice: () => (head().header.calcNextBaseFee() ?? 0n) + options.minTip,
    maxPriorityFee: () => options.minTip,
    syncing: () => false,
    onNewHead: (listener) => heads.add(listener),
    onLogs: (listener) => logBatches.add(listener),
    onBlockExecuted: (listener) => executions.add(listener),
    metrics() {
      const stats = pool.stats();
      return {
        height: head().header.number,
        transactions: committedTransactions,
        poolSize: stats.pending + stats.queued,
        peers: 0,
      };
    },
    ready: () => chainDb.head() !== undefined,
    blockCommitted(executed, seconds) {
      const { block } = executed;
      committedTransactions += BigInt(block.transactions.length);
      executions.emit({
        number: block.header.number,
        transactions: block.transactions.length,
        seconds,
      });
      heads.emit(block);
      const logs = blockLogs(block, executed.receipts);
      if (logs.length > 0) logBatches.emit(logs);
    },
  };
}
