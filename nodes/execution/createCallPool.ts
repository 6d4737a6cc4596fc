import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { Block } from "@ethereumjs/block";
import { CustosError, isErrorCode } from "../../src/errors/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { WorkerJobFailure } from "./answerWorkerJobs.ts";
import type { CallExecutor, GasEstimateOutcome } from "./CallExecutor.ts";
import type { CallRequest, CallResult } from "./ExecutionEngine.ts";
import { FairQueue } from "./FairQueue.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";
import { serveStateReads } from "./stateReadChannel.ts";

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
} as const;

/** What the pool reads on the main thread and reports to. */
export interface CallPoolPorts {
  /** The chain database: its chain id, its state keyspace and canonical hashes. */
  readonly chainDb: Pick<ChainDb, "common" | "trieDb" | "canonicalHash">;
  /** Told of each call stopped by the timeout and of each worker that failed. */
  readonly logger?: {
    warn(fields: Record<string, unknown>, message: string): void;
  };
}

/** A running call pool. */
export interface CallPool extends CallExecutor {
  /** Calls and estimates stopped by the timeout since the pool started. */
  timeouts(): number;
  /** Fails waiting and running calls (`NODE_ABORTED`) and stops the workers. */
  close(): Promise<void>;
}

/** A job as the worker receives it. */
export interface CallJob {
  readonly id: number;
  readonly kind: "call" | "estimate";
  readonly request: CallRequest;
  /** RLP of the block header the call runs in (its state root names the state). */
  readonly header: Uint8Array;
  /** A call's gas limit, or an estimate's highest gas. */
  readonly gas: bigint;
}

/** A worker's answer to a job. */
export type CallJobAnswer =
  | { readonly id: number; readonly ok: true; readonly result: CallResult }
  | { readonly id: number; readonly ok: true; readonly outcome: GasEstimateOutcome }
  | WorkerJobFailure;

/** What a call worker starts with. */
export interface CallWorkerData {
  readonly chainId: bigint;
  readonly port: MessagePort;
  readonly flag: Int32Array;
  readonly nodeCacheEntries: number;
}

const WORKER_URL = new URL("./callWorker.ts", import.meta.url);
/** The client of calls made without one (the node itself, tests). */
const LOCAL_CLIENT = "local";
/** Old-generation heap of a worker: a call's memory is gas-bounded, this bounds the rest. */
const WORKER_HEAP_MB = 256;

interface Pending {
  readonly client: string;
  readonly job: CallJob;
  readonly resolve: (answer: CallJobAnswer) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  readonly stopServing: () => void;
  running: Pending | undefined;
}

function positive(name: string, value: number | bigint): void {
  if (typeof value === "number" ? !Number.isSafeInteger(value) || value < 1 : value < 1n) {
    throw new CustosError("INVALID_ARGUMENT", `call pool ${name}: must be a positive integer`, {
      details: { field: name },
    });
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function timeoutText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Creates the pool of worker threads that runs clients' eth_call and eth_estimateGas, so that
 * no call runs on the thread that produces blocks and answers `/liveness`.
 *
 * **Read view.** LevelDB cannot be opened twice in one process, so a worker asks the main
 * thread for each state record it lacks (a trie node or code, by hash) over a message
 * channel and blocks until the answer (Atomics.wait; `serveStateReads`). Records are
 * content-addressed and never deleted, and a call reads only below its block's state root,
 * so blocks committed while a call runs never change what it sees; the worker caches the
 * records, which therefore never go stale. Each read costs the main thread one
 * `level.getSync` (~10 µs) between its other events.
 *
 * **Limits.** A call's gas is capped at `gasCap` (geth's RPCGasCap; a call that runs out of
 * gas at the cap says so). An estimate searches up to the smallest of the request's gas (or
 * the block gas limit), `gasCap` and {@link MAX_TX_GAS}. Each call or estimate has
 * `timeoutMs` of wall-clock time from its arrival: past it the call fails with
 * `RPC_CALL_TIMEOUT`, a worker running it is terminated and a fresh one takes its place.
 *
 * **Fairness.** Calls wait for a free worker in a {@link FairQueue} keyed by client (the RPC
 * layer passes the remote address). A free worker takes the oldest call of the waiting client
 * with the fewest calls running, then the one served least recently; and a client may have at
 * most `maxQueuedPerClient` calls waiting. So a client flooding the node with calls that run
 * until the gas cap or the timeout delays another client's call by at most the calls already
 * running, instead of making it time out behind the whole flood.
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
  const size = options.workers ?? defaultCallPoolOptions.workers;
  const timeoutMs = options.timeoutMs ?? defaultCallPoolOptions.timeoutMs;
  const gasCap = options.gasCap ?? defaultCallPoolOptions.gasCap;
  const nodeCacheEntries = options.nodeCacheEntries ?? defaultCallPoolOptions.nodeCacheEntries;
  const maxQueuedPerClient =
    options.maxQueuedPerClient ?? defaultCallPoolOptions.maxQueuedPerClient;
  positive("workers", size);
  positive("maxQueuedPerClient", maxQueuedPerClient);
  positive("timeoutMs", timeoutMs);
  positive("gasCap", gasCap);
  positive("nodeCacheEntries", nodeCacheEntries);
  const { chainDb, logger } = ports;
  const chainId = chainDb.common.chainId();

  const queue = new FairQueue<Pending>();
  /** Per client with calls running or waiting: calls running, and when it was last served. */
  const clients = new Map<string, { running: number; servedAt: number }>();
  let served = 0;
  /** Fewest running first, then least recently served (never served: first of all). */
  const rank = (client: string) => {
    const state = clients.get(client);
    return state === undefined ? 0 : state.running * 2 ** 40 + state.servedAt + 1;
  };
  const finished = (client: string) => {
    const state = clients.get(client);
    if (state === undefined) return;
    state.running--;
    if (state.running === 0 && queue.waiting(client) === 0) clients.delete(client);
  };
  /** Worker slots; undefined where a worker died and is started again on demand. */
  const slots: (Slot | undefined)[] = Array.from({ length: size }, () => undefined);
  let nextId = 0;
  let timedOut = 0;
  let closed = false;

  function settle(slot: Slot, answer: CallJobAnswer): void {
    const pending = slot.running;
    if (pending === undefined || pending.job.id !== answer.id) return;
    slot.running = undefined;
    slot.worker.unref();
    clearTimeout(pending.timer);
    finished(pending.client);
    pending.resolve(answer);
    dispatch();
  }

  /** Drops a slot's worker; `again` starts its replacement now (else on demand). */
  function retire(index: number, again: boolean): void {
    const slot = slots[index];
    if (slot === undefined) return;
    slots[index] = undefined;
    slot.stopServing();
    slot.worker.removeAllListeners();
    slot.worker.on("error", () => {});
    void slot.worker.terminate();
    if (again && !closed) slots[index] = start(index);
  }

  function start(index: number): Slot {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const stopServing = serveStateReads(port1, flag, {
      node: (key) => chainDb.trieDb.getSync(key),
      blockHash: (number) => chainDb.canonicalHash(number),
    });
    const workerData: CallWorkerData = { chainId, port: port2, flag, nodeCacheEntries };
    const worker = new Worker(WORKER_URL, {
      name: `custos-call-${index}`,
      workerData,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const slot: Slot = { worker, stopServing, running: undefined };
    worker.unref();
    worker.on("message", (answer: CallJobAnswer) => settle(slot, answer));
    const died = (cause: unknown) => {
      if (slots[index] !== slot) return;
      const pending = slot.running;
      slot.running = undefined;
      retire(index, false);
      logger?.warn({ worker: index, err: cause }, "call worker failed");
      if (pending !== undefined) {
        clearTimeout(pending.timer);
        finished(pending.client);
        pending.reject(
          new CustosError("INTERNAL", "the call worker failed", {
            details: { worker: index },
            cause,
          }),
        );
      }
      dispatch();
    };
    worker.on("error", died);
    worker.on("exit", (code) => died(new Error(`call worker exited with code ${code}`)));
    return slot;
  }

  function dispatch(): void {
    while (!closed && queue.size > 0) {
      let index = slots.findIndex((slot) => slot !== undefined && slot.running === undefined);
      if (index === -1) index = slots.indexOf(undefined);
      if (index === -1) return;
      const slot = slots[index] ?? start(index);
      slots[index] = slot;
      const pending = queue.shift(rank) as Pending;
      const state = clients.get(pending.client) ?? { running: 0, servedAt: -1 };
      state.running++;
      state.servedAt = served++;
      clients.set(pending.client, state);
      slot.running = pending;
      // Referenced while it owes an answer, so a caller awaiting it keeps the process alive.
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }

  function expire(pending: Pending): void {
    timedOut++;
    const queued = queue.remove(pending);
    const index = slots.findIndex((slot) => slot?.running === pending);
    if (index !== -1) {
      retire(index, true);
      finished(pending.client);
    } else if (queue.waiting(pending.client) === 0 && clients.get(pending.client)?.running === 0) {
      clients.delete(pending.client);
    }
    logger?.warn({ kind: pending.job.kind, timeoutMs, queued }, "call stopped by the timeout");
    pending.reject(
      new CustosError(
        "RPC_CALL_TIMEOUT",
        `execution aborted (timeout = ${timeoutText(timeoutMs)})`,
        {
          details: { timeoutMs },
        },
      ),
    );
    dispatch();
  }

  function submit(
    kind: CallJob["kind"],
    request: CallRequest,
    block: Block,
    gas: bigint,
    client: string,
  ) {
    if (closed) {
      return Promise.reject(new CustosError("NODE_ABORTED", "the call pool is closed"));
    }
    if (queue.waiting(client) >= maxQueuedPerClient) {
      return Promise.reject(
        new CustosError("RPC_LIMIT_EXCEEDED", "too many calls of this client waiting", {
          details: { limit: "maxQueuedPerClient", max: maxQueuedPerClient },
        }),
      );
    }
    const job: CallJob = { id: nextId++, kind, request, header: block.header.serialize(), gas };
    return new Promise<CallJobAnswer>((resolve, reject) => {
      const pending: Pending = {
        client,
        job,
        resolve,
        reject,
        timer: setTimeout(() => expire(pending), timeoutMs),
      };
      queue.push(client, pending);
      dispatch();
    }).then((answer) => {
      if (answer.ok) return answer;
      const { code, message, details } = answer.error;
      throw code !== null && isErrorCode(code)
        ? new CustosError(code, message, { details })
        : new CustosError("INTERNAL", "a call failed in its worker", {
            cause: new Error(message),
          });
    });
  }

  for (let index = 0; index < size; index++) slots[index] = start(index);

  return {
    async call(request, block, client = LOCAL_CLIENT) {
      const asked = request.gas ?? block.header.gasLimit;
      const gas = min(asked, gasCap);
      const answer = await submit("call", request, block, gas, client);
      const result = "result" in answer ? answer.result : undefined;
      if (result === undefined)
        throw new CustosError("INTERNAL", "a call worker answered no result");
      if (asked > gas && result.error === "out of gas") {
        return { ...result, error: `out of gas: gas capped at ${gasCap} (rpc.call.gasCap)` };
      }
      return result;
    },

    async estimateGas(request, block, client = LOCAL_CLIENT) {
      const cap = min(min(request.gas ?? block.header.gasLimit, gasCap), MAX_TX_GAS);
      const answer = await submit("estimate", request, block, cap, client);
      if (!("outcome" in answer)) {
        throw new CustosError("INTERNAL", "a call worker answered no gas estimate");
      }
      return answer.outcome;
    },

    timeouts: () => timedOut,

    async close() {
      if (closed) return;
      closed = true;
      clients.clear();
      const aborted = new CustosError("NODE_ABORTED", "the node stopped before the call finished");
      for (const pending of queue.drain()) {
        clearTimeout(pending.timer);
        pending.reject(aborted);
      }
      const stopping: Promise<number>[] = [];
      for (const [index, slot] of slots.entries()) {
        if (slot === undefined) continue;
        slots[index] = undefined;
        if (slot.running !== undefined) {
          clearTimeout(slot.running.timer);
          slot.running.reject(aborted);
        }
        slot.stopServing();
        slot.worker.removeAllListeners();
        slot.worker.on("error", () => {});
        stopping.push(slot.worker.terminate());
      }
      await Promise.all(stopping);
    },
  };
}
