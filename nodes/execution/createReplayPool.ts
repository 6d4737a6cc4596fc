import type { Block } from "@ethereumjs/block";
import { CustosError } from "../../src/errors/index.ts";
import type { AccessListOutcome } from "./createAccessList.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";
import type { AccessListRequest } from "./StateJob.ts";
import { StateWorkerPool, type StateWorkerPoolPorts } from "./StateWorkerPool.ts";
import { smallerBigInt } from "./smallerBigInt.ts";
import type { TracedFrame } from "./traceTransaction.ts";

/** Options of {@link createReplayPool}. */
export interface ReplayPoolOptions {
  /** Wall-clock limit of one job from its arrival (waiting included), in milliseconds. */
  readonly timeoutMs?: number;
  /** Most jobs waiting or running; more are refused with RPC_LIMIT_EXCEEDED. */
  readonly maxQueue?: number;
  /** Stored state records the worker keeps in memory. */
  readonly nodeCacheEntries?: number;
  /** Nice value of the worker thread on Linux (0–19); 0 keeps the node's priority. */
  readonly niceness?: number;
}

/** Defaults of {@link ReplayPoolOptions}. */
export const defaultReplayPoolOptions = {
  /** geth's default tracer timeout. */
  timeoutMs: 5_000,
  maxQueue: 8,
  /** ~20 MB of trie nodes. */
  nodeCacheEntries: 100_000,
  /** Below the node's: block production and `/liveness` go first (decision 008). */
  niceness: 5,
} as const;

/** A running replay pool. */
export interface ReplayPool {
  /**
   * The access list of a transaction built from `request`, reading `state`'s state and
   * running in `context` (the next block at the head). Gas is at most `context`'s gas limit
   * and {@link MAX_TX_GAS}.
   */
  createAccessList(
    request: AccessListRequest,
    state: Block,
    context: Block,
  ): Promise<AccessListOutcome>;
  /** The call tree of transaction `index` of `block`, replayed on `parentStateRoot`. */
  traceTransaction(
    block: Block,
    parentStateRoot: Uint8Array,
    index: number,
    options: { readonly onlyTopCall: boolean },
  ): Promise<TracedFrame>;
  /** Jobs stopped by the timeout since the pool started. */
  timeouts(): number;
  /** V8 heap held by the pool's worker (as it reported after its last job). */
  heapBytes(): number;
  /** Fails waiting and running jobs (`NODE_ABORTED`) and stops the worker. */
  close(): Promise<void>;
}

/**
 * Creates the worker thread that runs eth_createAccessList and debug_traceTransaction, so
 * that, like eth_call, they never run on the thread that produces blocks and answers
 * `/liveness`. It is a one-worker {@link StateWorkerPool} (read view of
 * the state, a low-priority thread) that starts on the first job. Jobs run one at a time, shared fairly between clients; at most `maxQueue` wait
 * or run (more: RPC_LIMIT_EXCEEDED, -32005); each has `timeoutMs` from its arrival, after
 * which it fails with RPC_CALL_TIMEOUT and a running worker is terminated and replaced.
 *
 * @throws CustosError `INVALID_ARGUMENT` for an option out of range; from the jobs:
 *   `RPC_LIMIT_EXCEEDED`, `RPC_CALL_TIMEOUT`, `RPC_EXECUTION_FAILED`, `STATE_NOT_AVAILABLE`,
 *   `NODE_ABORTED` (pool closed), `INTERNAL` (the worker died).
 * @example
 * ```ts
 * const replays = createReplayPool({}, { chainDb });
 * const frame = await replays.traceTransaction(block, parent.stateRoot, 0, { onlyTopCall: false });
 * await replays.close();
 * ```
 */
export function createReplayPool(
  options: ReplayPoolOptions,
  ports: StateWorkerPoolPorts,
): ReplayPool {
  const maxQueue = options.maxQueue ?? defaultReplayPoolOptions.maxQueue;
  const pool = new StateWorkerPool(
    {
      name: "replay",
      workers: 1,
      timeoutMs: options.timeoutMs ?? defaultReplayPoolOptions.timeoutMs,
      maxQueuedPerClient: maxQueue,
      maxInProgress: maxQueue,
      nodeCacheEntries: options.nodeCacheEntries ?? defaultReplayPoolOptions.nodeCacheEntries,
      niceness: options.niceness ?? defaultReplayPoolOptions.niceness,
      eager: false,
    },
    ports,
  );
  const missing = (what: string): CustosError =>
    new CustosError("INTERNAL", `the replay worker answered no ${what}`);

  return {
    async createAccessList(request, state, context) {
      const limit = smallerBigInt(context.header.gasLimit, MAX_TX_GAS);
      const gas = smallerBigInt(request.gas ?? limit, limit);
      const answer = await pool.run({
        kind: "accessList",
        request,
        state: state.header.serialize(),
        context: context.header.serialize(),
        gas,
      });
      if (!("accessList" in answer)) throw missing("access list");
      return answer.accessList;
    },

    async traceTransaction(block, parentStateRoot, index, traceOptions) {
      const answer = await pool.run({
        kind: "trace",
        block: block.serialize(),
        parentStateRoot,
        index,
        onlyTopCall: traceOptions.onlyTopCall,
      });
      if (!("trace" in answer)) throw missing("trace");
      return answer.trace;
    },

    timeouts: () => pool.timeouts(),
    heapBytes: () => pool.heapBytes(),
    close: () => pool.close(),
  };
}
