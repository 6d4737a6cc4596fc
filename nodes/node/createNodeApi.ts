import { type Block, createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../src/errors/index.ts";
import type { QbftDriverStatus } from "../consensus/driver/index.ts";
import { type ChainDb, stateNodeLoader, stateProof } from "../db/index.ts";
import type {
  CallPool,
  CallResult as EngineCallResult,
  ExecutedBlock,
  ExecutionEngine,
  ReplayPool,
} from "../execution/index.ts";
import {
  type BlockExecutedEvent,
  blockLogs,
  type CallFailure,
  type CallResult,
  type ConsensusMetricsSnapshot,
  type IndexedLog,
  type NodeApi,
} from "../rpc/index.ts";
import { decodeTransaction, type TxPool } from "../txpool/index.ts";
import type { NodeNetworkView } from "./NodeNetworkView.ts";

/** Inputs of {@link createNodeApi}. */
export interface NodeApiOptions {
  readonly common: Common;
  readonly chainDb: ChainDb;
  readonly engine: ExecutionEngine;
  /** Runs clients' eth_call and eth_estimateGas off this thread, capped and timed. */
  readonly calls: Pick<CallPool, "call" | "estimateGas" | "timeouts" | "heapBytes">;
  /** Runs eth_createAccessList and debug_traceTransaction off this thread, timed. */
  readonly replays: Pick<ReplayPool, "createAccessList" | "traceTransaction" | "heapBytes">;
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

/** The node's RPC port plus the hooks of its block source and network. */
export interface LocalNodeApi extends NodeApi {
  /** Announces a committed block to subscribers and metrics. */
  blockCommitted(executed: ExecutedBlock, seconds: number): void;
  /**
   * Joins the node's network view: peers, eth_syncing, readiness (false while syncing) and
   * consensus metrics come from it from then on.
   */
  attachNetwork(view: NodeNetworkView): void;
}

function consensusSnapshot(status: QbftDriverStatus): ConsensusMetricsSnapshot {
  return {
    height: status.height,
    round: status.round,
    roundChanges: status.roundChanges,
    ...(status.proposer === undefined ? {} : { proposer: bytesToHex(status.proposer) }),
    validators: status.validators.length,
    voting: status.voting,
    blocksCommitted: status.blocksCommitted,
    ...(status.lastCommitLatencyMs === undefined
      ? {}
      : { lastCommitLatencyMs: status.lastCommitLatencyMs }),
    messagesReceived: status.messagesReceived,
    messagesSent: status.messagesSent,
    drops: status.drops as Readonly<Record<string, number>>,
    evidence: status.evidence,
    syncing: status.syncing,
  };
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
 * Clients' calls and estimates run on the call pool (`calls`: worker threads, gas cap,
 * wall-clock timeout), never on this thread; an estimate that runs out of gas at its highest
 * gas fails with geth's "gas required exceeds allowance (N)".
 *
 * eth_createAccessList and debug_traceTransaction replay on the replay worker (`replays`);
 * eth_getProof walks the stored state trie (`stateProof`); pending-transaction filters hear
 * of transactions that eth_sendRawTransaction made executable.
 *
 * `metrics().transactions` counts transactions committed since this process started (a
 * Prometheus counter that restarts with the process; rate() handles the reset).
 *
 * @throws CustosError `TXPOOL_*` from sendRawTransaction; `STATE_NOT_AVAILABLE` from state
 *   reads at a block whose state is not stored; `RPC_CALL_TIMEOUT` from call and estimateGas
 *   past the call pool's timeout. Reverts and halts are returned as failures, not thrown.
 * @example
 * ```ts
 * const api = createNodeApi({ common, chainDb, engine, calls, replays, pool, clientVersion,
 *   maxTxBytes, minTip, blockPeriodSeconds: 1, now: Date.now });
 * const server = createRpcServer({ api });
 * ```
 */
export function createNodeApi(options: NodeApiOptions): LocalNodeApi {
  const { common, chainDb, engine, pool } = options;
  const heads = listeners<Block>();
  const logBatches = listeners<readonly IndexedLog[]>();
  const executions = listeners<BlockExecutedEvent>();
  const pendingTxs = listeners<readonly Uint8Array[]>();
  const keccak = common.customCrypto.keccak256 ?? keccak_256;
  let committedTransactions = 0n;
  let network: NodeNetworkView | undefined;

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
    async call(request, block, client) {
      return callResult(await options.calls.call(request, block, client));
    },
    async estimateGas(request, block, client) {
      const context = equalsBytes(block.hash(), head().hash()) ? nextBlockContext(block) : block;
      const outcome = await options.calls.estimateGas(request, context, client);
      if (outcome.ok) return { ok: true, gas: outcome.gas };
      const failure = callResult(outcome.result).failure;
      // As geth: running out of gas at the highest gas tried is "gas required exceeds allowance".
      if (failure === undefined || (failure.kind === "halt" && failure.reason === "out of gas")) {
        return {
          ok: false,
          failure: { kind: "halt", reason: `gas required exceeds allowance (${outcome.gas})` },
        };
      }
      return { ok: false, failure };
    },
    async sendRawTransaction(raw) {
      const tx = decodeTransaction(raw, { common, maxTxBytes: options.maxTxBytes });
      const added = await pool.add(tx);
      const executable = added.status === "pending" ? [added.hash, ...added.promoted] : [];
      if (executable.length > 0) pendingTxs.emit(executable);
      return added.hash;
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
    syncing: () => network?.syncing() ?? false,
    onNewHead: (listener) => heads.add(listener),
    onLogs: (listener) => logBatches.add(listener),
    onBlockExecuted: (listener) => executions.add(listener),
    metrics() {
      const stats = pool.stats();
      return {
        height: head().header.number,
        transactions: committedTransactions,
        poolSize: stats.pending + stats.queued,
        peers: network?.peers() ?? 0,
        callTimeouts: options.calls.timeouts(),
        stateWorkerHeapBytes: options.calls.heapBytes() + options.replays.heapBytes(),
        dbCheckFailures: chainDb.health().checkFailures,
        stateCacheBytes: { trie: engine.trieCacheBytes(), flat: chainDb.flatState.cacheBytes },
        ...(network === undefined
          ? {}
          : { consensus: consensusSnapshot(network.consensus()), counters: network.p2pCounters() }),
      };
    },
    // Not ready on damage found while serving, after a failed commit, or while the head
    // marker cannot be written (chainDb.health()); on a network, also not while blocks lost
    // at the tip are synced back, while syncing, or when consensus stopped.
    ready: () => {
      const health = chainDb.health();
      return (
        chainDb.head() !== undefined &&
        health.fault === undefined &&
        health.recovering === undefined &&
        (network?.ready() ?? true)
      );
    },
    attachNetwork(view) {
      network = view;
    },
    canonicalHash: (number) => chainDb.canonicalHash(number),
    onPendingTransactions: (listener) => pendingTxs.add(listener),
    async proof(address, slots, block) {
      return stateProof(
        block.header.stateRoot,
        address,
        slots,
        stateNodeLoader((key) => chainDb.trieDb.getSync(key)),
        keccak,
      );
    },
    async createAccessList(request, block) {
      const context = equalsBytes(block.hash(), head().hash()) ? nextBlockContext(block) : block;
      const outcome = await options.replays.createAccessList(request, block, context);
      const failure = outcome.failure;
      const base = { accessList: outcome.accessList, gasUsed: outcome.gasUsed };
      return failure === undefined ? base : { ...base, failure };
    },
    async traceTransaction(txHash, traceOptions) {
      const location = await chainDb.transactionLocation(txHash);
      if (location === undefined) return undefined;
      const block = await chainDb.blockByHash(location.blockHash);
      const parent = await chainDb.headerByHash(block?.header.parentHash ?? new Uint8Array(32));
      if (block === undefined || parent === undefined) return undefined;
      return options.replays.traceTransaction(
        block,
        parent.stateRoot,
        location.index,
        traceOptions,
      );
    },
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
