import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { Block } from "@ethereumjs/block";
import { CustosError, isErrorCode } from "../../src/errors/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { WorkerJobFailure } from "./answerWorkerJobs.ts";
import type { AccessListOutcome } from "./createAccessList.ts";
import type { CallRequest } from "./ExecutionEngine.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";
import { serveStateReads } from "./stateReadChannel.ts";
import type { TracedFrame } from "./traceTransaction.ts";

/** Options of {@link createReplayPool}. */
export interface ReplayPoolOptions {
  /** Wall-clock limit of one job from its arrival (waiting included), in milliseconds. */
  readonly timeoutMs?: number;
  /** Most jobs waiting or running; more are refused with RPC_LIMIT_EXCEEDED. */
  readonly maxQueue?: number;
  /** Stored state records the worker keeps in memory. */
  readonly nodeCacheEntries?: number;
}

/** Defaults of {@link ReplayPoolOptions}. */
export const defaultReplayPoolOptions = {
  /** geth's default tracer timeout. */
  timeoutMs: 5_000,
  maxQueue: 8,
  /** ~20 MB of trie nodes. */
  nodeCacheEntries: 100_000,
} as const;

/** A request for an access list: a call request plus the nonce a transaction would carry. */
export type AccessListRequest = CallRequest & { readonly nonce?: bigint };

/** A job as the worker receives it. */
export type ReplayJob =
  | {
      readonly id: number;
      readonly kind: "accessList";
      readonly request: AccessListRequest;
      /** RLP of the header whose state the run reads. */
      readonly state: Uint8Array;
      /** RLP of the header of the block the transaction runs in. */
      readonly context: Uint8Array;
      readonly gas: bigint;
    }
  | {
      readonly id: number;
      readonly kind: "trace";
      /** RLP of the whole block. */
      readonly block: Uint8Array;
      readonly parentStateRoot: Uint8Array;
      readonly index: number;
      readonly onlyTopCall: boolean;
    };

/** The worker's answer to a job. */
export type ReplayJobAnswer =
  | { readonly id: number; readonly ok: true; readonly accessList: AccessListOutcome }
  | { readonly id: number; readonly ok: true; readonly trace: TracedFrame }
  | WorkerJobFailure;

/** What the replay worker starts with. */
export interface ReplayWorkerData {
  readonly chainId: bigint;
  readonly port: MessagePort;
  readonly flag: Int32Array;
  readonly nodeCacheEntries: number;
}

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
  /** Fails waiting and running jobs (`NODE_ABORTED`) and stops the worker. */
  close(): Promise<void>;
}

const WORKER_URL = new URL("./replayWorker.ts", import.meta.url);
/** Old-generation heap of the worker: a replay's memory is gas-bounded, this bounds the rest. */
const WORKER_HEAP_MB = 256;

interface Pending {
  readonly job: ReplayJob;
  readonly resolve: (answer: ReplayJobAnswer) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  readonly stopServing: () => void;
  running: Pending | undefined;
}

/** The smaller of two bigints (Math.min takes numbers only). */
function smaller(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function positive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CustosError("INVALID_ARGUMENT", `replay pool ${name}: must be a positive integer`, {
      details: { field: name },
    });
  }
}

/**
 * Creates the worker thread that runs eth_createAccessList and debug_traceTransaction, so
 * that, like eth_call, they never run on the thread that produces blocks and answers
 * `/liveness`. The worker reads state through the call pool's state-read channel
 * (`serveStateReads`: one synchronous level read per missing record on the main thread) and
 * starts on the first job. Jobs run one at a time in arrival order; at most `maxQueue` wait
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
  ports: { readonly chainDb: Pick<ChainDb, "common" | "trieDb" | "canonicalHash"> },
): ReplayPool {
  const timeoutMs = options.timeoutMs ?? defaultReplayPoolOptions.timeoutMs;
  const maxQueue = options.maxQueue ?? defaultReplayPoolOptions.maxQueue;
  const nodeCacheEntries = options.nodeCacheEntries ?? defaultReplayPoolOptions.nodeCacheEntries;
  positive("timeoutMs", timeoutMs);
  positive("maxQueue", maxQueue);
  positive("nodeCacheEntries", nodeCacheEntries);
  const { chainDb } = ports;
  const chainId = chainDb.common.chainId();
  const queue: Pending[] = [];
  let slot: Slot | undefined;
  let nextId = 0;
  let timedOut = 0;
  let closed = false;

  function stop(current: Slot): void {
    current.stopServing();
    current.worker.removeAllListeners();
    current.worker.on("error", () => {});
    void current.worker.terminate();
  }

  function start(): Slot {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const stopServing = serveStateReads(port1, flag, {
      node: (key) => chainDb.trieDb.getSync(key),
      blockHash: (number) => chainDb.canonicalHash(number),
    });
    const workerData: ReplayWorkerData = { chainId, port: port2, flag, nodeCacheEntries };
    const worker = new Worker(WORKER_URL, {
      name: "custos-replay",
      workerData,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const started: Slot = { worker, stopServing, running: undefined };
    worker.unref();
    worker.on("message", (answer: ReplayJobAnswer) => {
      const pending = started.running;
      if (pending === undefined || pending.job.id !== answer.id) return;
      started.running = undefined;
      worker.unref();
      clearTimeout(pending.timer);
      pending.resolve(answer);
      dispatch();
    });
    const died = (cause: unknown) => {
      if (slot !== started) return;
      slot = undefined;
      const pending = started.running;
      stop(started);
      if (pending !== undefined) {
        clearTimeout(pending.timer);
        pending.reject(
          new CustosError("INTERNAL", "the replay worker failed", { details: {}, cause }),
        );
      }
      dispatch();
    };
    worker.on("error", died);
    worker.on("exit", (code) => died(new Error(`replay worker exited with code ${code}`)));
    return started;
  }

  function dispatch(): void {
    if (closed || queue.length === 0 || slot?.running !== undefined) return;
    slot ??= start();
    const pending = queue.shift() as Pending;
    slot.running = pending;
    // Referenced while it owes an answer, so a caller awaiting it keeps the process alive.
    slot.worker.ref();
    slot.worker.postMessage(pending.job);
  }

  function expire(pending: Pending): void {
    timedOut++;
    const queued = queue.indexOf(pending);
    if (queued !== -1) queue.splice(queued, 1);
    if (slot !== undefined && slot.running === pending) {
      const current = slot;
      slot = undefined;
      stop(current);
    }
    pending.reject(
      new CustosError(
        "RPC_CALL_TIMEOUT",
        `execution aborted (timeout = ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000}s` : `${timeoutMs}ms`})`,
        { details: { timeoutMs } },
      ),
    );
    dispatch();
  }

  async function submit(job: ReplayJob): Promise<ReplayJobAnswer> {
    if (closed) throw new CustosError("NODE_ABORTED", "the replay pool is closed");
    const waiting = queue.length + (slot?.running === undefined ? 0 : 1);
    if (waiting >= maxQueue) {
      throw new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `too many replays (eth_createAccessList, debug_traceTransaction) in progress, limit ${maxQueue}`,
        { details: { limit: "maxReplayQueue", max: maxQueue } },
      );
    }
    const answer = await new Promise<ReplayJobAnswer>((resolve, reject) => {
      const pending: Pending = {
        job,
        resolve,
        reject,
        timer: setTimeout(() => expire(pending), timeoutMs),
      };
      queue.push(pending);
      dispatch();
    });
    if (answer.ok) return answer;
    const { code, message, details } = answer.error;
    throw code !== null && isErrorCode(code)
      ? new CustosError(code, message, { details })
      : new CustosError("INTERNAL", "a replay failed in its worker", { cause: new Error(message) });
  }

  return {
    async createAccessList(request, state, context) {
      const limit = smaller(context.header.gasLimit, MAX_TX_GAS);
      const gas = smaller(request.gas ?? limit, limit);
      const answer = await submit({
        id: nextId++,
        kind: "accessList",
        request,
        state: state.header.serialize(),
        context: context.header.serialize(),
        gas,
      });
      if (!("accessList" in answer)) {
        throw new CustosError("INTERNAL", "the replay worker answered no access list");
      }
      return answer.accessList;
    },

    async traceTransaction(block, parentStateRoot, index, traceOptions) {
      const answer = await submit({
        id: nextId++,
        kind: "trace",
        block: block.serialize(),
        parentStateRoot,
        index,
        onlyTopCall: traceOptions.onlyTopCall,
      });
      if (!("trace" in answer)) {
        throw new CustosError("INTERNAL", "the replay worker answered no trace");
      }
      return answer.trace;
    },

    timeouts: () => timedOut,

    async close() {
      if (closed) return;
      closed = true;
      const aborted = new CustosError(
        "NODE_ABORTED",
        "the node stopped before the replay finished",
      );
      for (const pending of queue.splice(0)) {
        clearTimeout(pending.timer);
        pending.reject(aborted);
      }
      const current = slot;
      slot = undefined;
      if (current === undefined) return;
      if (current.running !== undefined) {
        clearTimeout(current.running.timer);
        current.running.reject(aborted);
      }
      current.stopServing();
      current.worker.removeAllListeners();
      current.worker.on("error", () => {});
      await current.worker.terminate();
    },
  };
}
