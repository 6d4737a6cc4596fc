import { MessageChannel, Worker } from "node:worker_threads";
import { CustosError, isErrorCode } from "../../src/errors/index.ts";
import { siblingModuleUrl } from "../../src/runtime/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { WORKER_READY } from "./answerWorkerJobs.ts";
import { FairQueue } from "./FairQueue.ts";
import type {
  StateJob,
  StateJobAnswer,
  StateJobRequest,
  StateJobResult,
  StateWorkerData,
} from "./StateJob.ts";
import { serveStateReads } from "./stateReadChannel.ts";

/** Options of a {@link StateWorkerPool}. */
export interface StateWorkerPoolOptions {
  /** What the pool runs, in thread names, logs and errors: "call", "replay". */
  readonly name: string;
  /** Worker threads; each runs one job at a time. */
  readonly workers: number;
  /** Wall-clock limit of one job from its arrival (waiting included), in milliseconds. */
  readonly timeoutMs: number;
  /** Most jobs one client may have waiting; more fail with RPC_LIMIT_EXCEEDED. */
  readonly maxQueuedPerClient: number;
  /** Most jobs waiting or running, all clients together; more fail with RPC_LIMIT_EXCEEDED. */
  readonly maxInProgress: number;
  /** Stored state records each worker keeps in memory. */
  readonly nodeCacheEntries: number;
  /** Nice value of the worker threads on Linux (0–19): higher yields more to the main thread. */
  readonly niceness: number;
  /** Start the workers now and replace a stopped one at once (else on the next job). */
  readonly eager: boolean;
}

/** What a pool reads on the main thread and reports to. */
export interface StateWorkerPoolPorts {
  /** The chain database: its chain id, its state keyspace and canonical hashes. */
  readonly chainDb: Pick<ChainDb, "common" | "trieDb" | "canonicalHash">;
  /** Told of each job stopped by the timeout and of each worker that failed. */
  readonly logger?: {
    warn(fields: Record<string, unknown>, message: string): void;
  };
}

/** The client of jobs submitted without one (the node itself, tests). */
const LOCAL_CLIENT = "local";

const WORKER_URL = siblingModuleUrl(import.meta.url, "stateWorker");
/** Old-generation heap of a worker: a job's memory is gas-bounded, this bounds the rest. */
const WORKER_HEAP_MB = 256;
/** Worker time a client used counts half as much after this long. */
const BUSY_HALF_LIFE_MS = 10_000;
/** Idle clients remembered (for their recent worker time) before forgetting the idlest. */
const TRACKED_CLIENTS = 1_024;

interface Pending {
  readonly client: string;
  readonly job: StateJob;
  readonly resolve: (answer: StateJobAnswer) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
  startedAt: number;
}

interface Slot {
  readonly worker: Worker;
  readonly stopServing: () => void;
  /** Settles when the worker has loaded its modules, or died first. */
  readonly booted: Promise<void>;
  running: Pending | undefined;
  /** V8 heap the worker reported with its last answer. */
  heapBytes: number;
}

/** A client's jobs running now and the worker time it used recently. */
interface ClientShare {
  running: number;
  /** Worker milliseconds, decayed to `busyAt`. */
  busyMs: number;
  busyAt: number;
}

function checkInteger(name: string, value: number, least: number, most: number): void {
  if (!Number.isSafeInteger(value) || value < least || value > most) {
    throw new CustosError(
      "INVALID_ARGUMENT",
      `worker pool ${name}: must be an integer from ${least} to ${most}`,
      { details: { field: name } },
    );
  }
}

function timeoutText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * A pool of worker threads that run jobs over the node's state — eth_call, eth_estimateGas,
 * eth_createAccessList, debug_traceTransaction — so that none runs on the thread that
 * produces blocks and answers `/liveness`.
 *
 * **Read view.** LevelDB cannot be opened twice in one process, so a worker asks the main
 * thread for each state record it lacks (a trie node or code, by hash) over a message
 * channel and blocks until the answer (`serveStateReads`). Records are content-addressed and
 * never deleted, so blocks committed while a job runs never change what it sees.
 *
 * **CPU.** Workers run at nice value `niceness` (Linux), so however many clients' jobs loop
 * until their gas cap, the main thread still gets the CPU it needs.
 *
 * **Time.** Each job has `timeoutMs` from its arrival: past it the job fails with
 * `RPC_CALL_TIMEOUT` and a worker running it is terminated and replaced.
 *
 * **Fairness.** Jobs wait in a {@link FairQueue} keyed by client (the remote address). A free
 * worker takes the oldest job of the waiting client with the fewest jobs running, then the
 * one that used the least worker time recently (halving every 10 s), so a client whose jobs
 * run until the timeout cannot push an honest client's short calls behind its own. A client
 * may have at most `maxQueuedPerClient` jobs waiting, and the pool `maxInProgress` in all.
 *
 * @example
 * ```ts
 * const pool = new StateWorkerPool({ name: "call", workers: 2, ...limits }, { chainDb });
 * const answer = await pool.run({ kind: "call", request, header, gas }, "10.0.0.7");
 * await pool.close();
 * ```
 */
export class StateWorkerPool {
  readonly #options: StateWorkerPoolOptions;
  readonly #ports: StateWorkerPoolPorts;
  readonly #chainId: bigint;
  readonly #queue = new FairQueue<Pending>();
  readonly #clients = new Map<string, ClientShare>();
  /** Worker slots; undefined where no worker runs (not started yet, or stopped). */
  readonly #slots: (Slot | undefined)[];
  #inProgress = 0;
  #nextId = 0;
  #timedOut = 0;
  #closed = false;

  /** @throws CustosError `INVALID_ARGUMENT` for an option out of range. */
  constructor(options: StateWorkerPoolOptions, ports: StateWorkerPoolPorts) {
    checkInteger("workers", options.workers, 1, 64);
    checkInteger("timeoutMs", options.timeoutMs, 1, 2 ** 31 - 1);
    checkInteger("maxQueuedPerClient", options.maxQueuedPerClient, 1, Number.MAX_SAFE_INTEGER);
    checkInteger("maxInProgress", options.maxInProgress, 1, Number.MAX_SAFE_INTEGER);
    checkInteger("nodeCacheEntries", options.nodeCacheEntries, 1, Number.MAX_SAFE_INTEGER);
    checkInteger("niceness", options.niceness, 0, 19);
    this.#options = options;
    this.#ports = ports;
    this.#chainId = ports.chainDb.common.chainId();
    this.#slots = Array.from({ length: options.workers }, () => undefined);
    if (options.eager) {
      for (let index = 0; index < options.workers; index++) this.#slots[index] = this.#start(index);
    }
  }

  /** Jobs stopped by the timeout since the pool started. */
  timeouts(): number {
    return this.#timedOut;
  }

  /**
   * Resolves when every worker started so far has loaded its modules (or died), so that a
   * node declaring itself up does not make its first calls wait for, and time out on, the
   * workers' start (~0.7 s of CPU each, seconds on a loaded host).
   */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => slot?.booted));
  }

  /** V8 heap held by the running workers, as each reported with its last answer. */
  heapBytes(): number {
    let total = 0;
    for (const slot of this.#slots) total += slot?.heapBytes ?? 0;
    return total;
  }

  /**
   * Runs `request` on a worker for `client` and returns its answer.
   *
   * @throws CustosError `RPC_LIMIT_EXCEEDED` (too many jobs waiting), `RPC_CALL_TIMEOUT`,
   *   `NODE_ABORTED` (pool closed), `INTERNAL` (the worker died), or the error the job
   *   failed with in its worker (e.g. `STATE_NOT_AVAILABLE`).
   */
  async run(request: StateJobRequest, client: string = LOCAL_CLIENT): Promise<StateJobResult> {
    const { name, maxQueuedPerClient, maxInProgress, timeoutMs } = this.#options;
    if (this.#closed) throw new CustosError("NODE_ABORTED", `the ${name} pool is closed`);
    if (this.#queue.waiting(client) >= maxQueuedPerClient) {
      throw new CustosError("RPC_LIMIT_EXCEEDED", `too many ${name}s of this client waiting`, {
        details: { limit: "maxQueuedPerClient", max: maxQueuedPerClient },
      });
    }
    if (this.#inProgress >= maxInProgress) {
      throw new CustosError("RPC_LIMIT_EXCEEDED", `too many ${name}s in progress`, {
        details: { limit: "maxInProgress", max: maxInProgress },
      });
    }
    this.#inProgress++;
    this.#forgetIdleClients();
    const job = { ...request, id: this.#nextId++ } as StateJob;
    const answer = await new Promise<StateJobAnswer>((resolve, reject) => {
      const pending: Pending = {
        client,
        job,
        resolve,
        reject,
        timer: setTimeout(() => this.#expire(pending), timeoutMs),
        startedAt: 0,
      };
      this.#queue.push(client, pending);
      this.#dispatch();
    }).finally(() => {
      this.#inProgress--;
    });
    if (answer.ok) return answer;
    const { code, message, details } = answer.error;
    throw code !== null && isErrorCode(code)
      ? new CustosError(code, message, { details })
      : new CustosError("INTERNAL", `a ${name} failed in its worker`, {
          cause: new Error(message),
        });
  }

  /** Fails waiting and running jobs (`NODE_ABORTED`) and stops the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clients.clear();
    const aborted = new CustosError(
      "NODE_ABORTED",
      `the node stopped before the ${this.#options.name} finished`,
    );
    for (const pending of this.#queue.drain()) {
      clearTimeout(pending.timer);
      pending.reject(aborted);
    }
    const stopping: Promise<number>[] = [];
    for (const [index, slot] of this.#slots.entries()) {
      if (slot === undefined) continue;
      this.#slots[index] = undefined;
      if (slot.running !== undefined) {
        clearTimeout(slot.running.timer);
        slot.running.reject(aborted);
      }
      stopping.push(this.#stop(slot));
    }
    await Promise.all(stopping);
  }

  #start(index: number): Slot {
    const { chainDb, logger } = this.#ports;
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const stopServing = serveStateReads(port1, flag, {
      node: (key) => chainDb.trieDb.getSync(key),
      blockHash: (number) => chainDb.canonicalHash(number),
    });
    const workerData: StateWorkerData = {
      chainId: this.#chainId,
      port: port2,
      flag,
      nodeCacheEntries: this.#options.nodeCacheEntries,
      niceness: this.#options.niceness,
    };
    const worker = new Worker(WORKER_URL, {
      name: `custos-${this.#options.name}-${index}`,
      workerData,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    let booted!: () => void;
    const slot: Slot = {
      worker,
      stopServing,
      running: undefined,
      heapBytes: 0,
      booted: new Promise((resolve) => {
        booted = resolve;
      }),
    };
    worker.unref();
    worker.on("message", (answer: StateJobAnswer | typeof WORKER_READY) => {
      if ("ready" in answer) booted();
      else this.#settle(slot, answer);
    });
    const died = (cause: unknown) => {
      booted();
      if (this.#slots[index] !== slot) return;
      const pending = slot.running;
      slot.running = undefined;
      this.#slots[index] = undefined;
      void this.#stop(slot);
      logger?.warn({ pool: this.#options.name, worker: index, err: cause }, "worker failed");
      if (pending !== undefined) {
        clearTimeout(pending.timer);
        this.#finished(pending);
        pending.reject(
          new CustosError("INTERNAL", `the ${this.#options.name} worker failed`, {
            details: { worker: index },
            cause,
          }),
        );
      }
      this.#dispatch();
    };
    worker.on("error", died);
    worker.on("exit", (code) => died(new Error(`worker exited with code ${code}`)));
    return slot;
  }

  #stop(slot: Slot): Promise<number> {
    slot.stopServing();
    slot.worker.removeAllListeners();
    slot.worker.on("error", () => {});
    return slot.worker.terminate();
  }

  #settle(slot: Slot, answer: StateJobAnswer): void {
    const pending = slot.running;
    if (pending === undefined || pending.job.id !== answer.id) return;
    slot.heapBytes = answer.heapBytes;
    slot.running = undefined;
    slot.worker.unref();
    clearTimeout(pending.timer);
    this.#finished(pending);
    pending.resolve(answer);
    this.#dispatch();
  }

  #dispatch(): void {
    while (!this.#closed && this.#queue.size > 0) {
      let index = this.#slots.findIndex((slot) => slot !== undefined && slot.running === undefined);
      if (index === -1) index = this.#slots.indexOf(undefined);
      if (index === -1) return;
      const slot = this.#slots[index] ?? this.#start(index);
      this.#slots[index] = slot;
      const now = performance.now();
      const pending = this.#queue.shift((client) => this.#rank(client, now)) as Pending;
      const share = this.#clients.get(pending.client) ?? { running: 0, busyMs: 0, busyAt: now };
      share.running++;
      this.#clients.set(pending.client, share);
      pending.startedAt = now;
      slot.running = pending;
      // Referenced while it owes an answer, so a caller awaiting it keeps the process alive.
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }

  /** Fewest jobs running first, then the least worker time used recently. */
  #rank(client: string, now: number): number {
    const share = this.#clients.get(client);
    return share === undefined ? 0 : share.running * 2 ** 40 + decayed(share, now);
  }

  /** Books a job that ran (or was stopped) to its client's share. */
  #finished(pending: Pending): void {
    const share = this.#clients.get(pending.client);
    if (share === undefined) return;
    const now = performance.now();
    share.busyMs = decayed(share, now) + (now - pending.startedAt);
    share.busyAt = now;
    share.running--;
  }

  /** Keeps the clients remembered bounded: idle ones whose recent worker time faded go. */
  #forgetIdleClients(): void {
    if (this.#clients.size <= TRACKED_CLIENTS) return;
    const now = performance.now();
    for (const [client, share] of this.#clients) {
      if (share.running === 0 && this.#queue.waiting(client) === 0 && decayed(share, now) < 1) {
        this.#clients.delete(client);
      }
    }
  }

  #expire(pending: Pending): void {
    this.#timedOut++;
    const { name, timeoutMs, eager } = this.#options;
    const queued = this.#queue.remove(pending);
    const index = this.#slots.findIndex((slot) => slot?.running === pending);
    if (index !== -1) {
      const slot = this.#slots[index] as Slot;
      this.#slots[index] = undefined;
      void this.#stop(slot);
      this.#finished(pending);
      if (eager) this.#slots[index] = this.#start(index);
    }
    this.#ports.logger?.warn(
      { pool: name, kind: pending.job.kind, timeoutMs, queued },
      "job stopped by the timeout",
    );
    pending.reject(
      new CustosError(
        "RPC_CALL_TIMEOUT",
        `execution aborted (timeout = ${timeoutText(timeoutMs)})`,
        {
          details: { timeoutMs },
        },
      ),
    );
    this.#dispatch();
  }
}

/** `share`'s worker time as it counts at `now`. */
function decayed(share: ClientShare, now: number): number {
  return share.busyMs * 2 ** (-(now - share.busyAt) / BUSY_HALF_LIFE_MS);
}
