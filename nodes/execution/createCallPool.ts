import type { Block } from "@ethereumjs/block";
import { CustosError } from "../../src/errors/index.ts";
import type { CallExecutor } from "./CallExecutor.ts";
import type { CallRequest } from "./ExecutionEngine.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";
import type { StateJobRequest, StateJobResult } from "./StateJob.ts";
import { StateWorkerPool, type StateWorkerPoolPorts } from "./StateWorkerPool.ts";
import { smallerBigInt } from "./smallerBigInt.ts";

/** Options of {@link createCallPool}. */
export interface CallPoolOptions {
  /** Worker threads; each runs one call at a time. */
  readonly workers?: number;
  /**
   * Wall-clock limit of one call or estimate, from its arrival (time waiting for a worker
   * counts), in milliseconds.
   */
  readonly timeoutMs?: number;
  /** Most gas a call or an estimate may use, whatever the request asks (geth's RPCGasCap). */
  readonly gasCap?: bigint;
  /** Stored state records each worker keeps in memory. */
  readonly nodeCacheEntries?: number;
  /** Most calls one client may have waiting for a worker; more fail with RPC_LIMIT_EXCEEDED. */
  readonly maxQueuedPerClient?: number;
  /** Nice value of the worker threads on Linux (0–19); 0 keeps the node's priority. */
  readonly niceness?: number;
}

/** Defaults of {@link CallPoolOptions}. */
export const defaultCallPoolOptions = {
  /** Two: one abusive call leaves another worker; on 2 cores the block producer keeps a share. */
  workers: 2,
  /** geth's `--rpc.evmtimeout`. */
  timeoutMs: 5_000,
  /** geth's `--rpc.gascap`. */
  gasCap: 50_000_000n,
  /** ~20 MB of trie nodes per worker. */
  nodeCacheEntries: 100_000,
  /** Enough for a client's batch of calls; a flood beyond it is refused at once. */
  maxQueuedPerClient: 64,
  /** Below the node's: block production and `/liveness` go first (decision 008). */
  niceness: 5,
} as const;

/** What the pool reads on the main thread and reports to. */
export type CallPoolPorts = StateWorkerPoolPorts;

/** A running call pool. */
export interface CallPool extends CallExecutor {
  /** Calls and estimates stopped by the timeout since the pool started. */
  timeouts(): number;
  /** Resolves when the pool's workers have loaded and can take calls. */
  ready(): Promise<void>;
  /** V8 heap held by the pool's workers (as each reported after its last call). */
  heapBytes(): number;
  /** Fails waiting and running calls (`NODE_ABORTED`) and stops the workers. */
  close(): Promise<void>;
}

/**
 * Creates the pool of worker threads that runs clients' eth_call and eth_estimateGas, so that
 * no call runs on the thread that produces blocks and answers `/liveness` (a
 * {@link StateWorkerPool}: read view of the state, low-priority threads, wall-clock limit,
 * fairness between clients by the worker time they used).
 *
 * **Limits.** A call's gas is capped at `gasCap` (geth's RPCGasCap; a call that runs out of
 * gas at the cap says so). An estimate searches up to the smallest of the request's gas (or
 * the block gas limit), `gasCap` and {@link MAX_TX_GAS}. Each call or estimate has
 * `timeoutMs` of wall-clock time from its arrival: past it the call fails with
 * `RPC_CALL_TIMEOUT`, a worker running it is terminated and a fresh one takes its place. A
 * client may have at most `maxQueuedPerClient` calls waiting.
 *
 * Results equal the engine's in-thread `call` and `estimateGas` (the same code runs on the
 * same state manager).
 *
 * @throws CustosError `INVALID_ARGUMENT` for an option out of range; from `call` and
 *   `estimateGas`: `RPC_CALL_TIMEOUT`, `RPC_LIMIT_EXCEEDED` (too many calls of one client
 *   waiting), `STATE_NOT_AVAILABLE`, `NODE_ABORTED` (pool closed), `INTERNAL` (a worker
 *   died).
 * @example
 * ```ts
 * const calls = createCallPool({ workers: 2, timeoutMs: 5_000, gasCap: 50_000_000n }, { chainDb });
 * const result = await calls.call({ to, data }, chainDb.head()!);
 * await calls.close();
 * ```
 */
export function createCallPool(options: CallPoolOptions, ports: CallPoolPorts): CallPool {
  const gasCap = options.gasCap ?? defaultCallPoolOptions.gasCap;
  if (gasCap < 1n) {
    throw new CustosError("INVALID_ARGUMENT", "call pool gasCap: must be a positive integer", {
      details: { field: "gasCap" },
    });
  }
  const maxQueuedPerClient =
    options.maxQueuedPerClient ?? defaultCallPoolOptions.maxQueuedPerClient;
  const pool = new StateWorkerPool(
    {
      name: "call",
      workers: options.workers ?? defaultCallPoolOptions.workers,
      timeoutMs: options.timeoutMs ?? defaultCallPoolOptions.timeoutMs,
      maxQueuedPerClient,
      maxInProgress: Number.MAX_SAFE_INTEGER,
      nodeCacheEntries: options.nodeCacheEntries ?? defaultCallPoolOptions.nodeCacheEntries,
      niceness: options.niceness ?? defaultCallPoolOptions.niceness,
      eager: true,
    },
    ports,
  );
  const submit = (
    kind: "call" | "estimate",
    request: CallRequest,
    block: Block,
    gas: bigint,
    client: string | undefined,
  ): Promise<StateJobResult> => {
    const job: StateJobRequest = { kind, request, header: block.header.serialize(), gas };
    return pool.run(job, client);
  };

  return {
    async call(request, block, client) {
      const asked = request.gas ?? block.header.gasLimit;
      const gas = smallerBigInt(asked, gasCap);
      const answer = await submit("call", request, block, gas, client);
      if (!("result" in answer)) {
        throw new CustosError("INTERNAL", "a call worker answered no result");
      }
      const { result } = answer;
      if (asked > gas && result.error === "out of gas") {
        return { ...result, error: `out of gas: gas capped at ${gasCap} (rpc.call.gasCap)` };
      }
      return result;
    },

    async estimateGas(request, block, client) {
      const cap = smallerBigInt(
        smallerBigInt(request.gas ?? block.header.gasLimit, gasCap),
        MAX_TX_GAS,
      );
      const answer = await submit("estimate", request, block, cap, client);
      if (!("outcome" in answer)) {
        throw new CustosError("INTERNAL", "a call worker answered no gas estimate");
      }
      return answer.outcome;
    },

    timeouts: () => pool.timeouts(),
    ready: () => pool.ready(),
    heapBytes: () => pool.heapBytes(),
    close: () => pool.close(),
  };
}
