import { CustosError, isCustosError } from "../errors/index.ts";
import { CaughtUpWaiters } from "./CaughtUpWaiters.ts";
import type { ConsentEventSource } from "./ConsentEventSource.ts";
import type { ConsentIndex } from "./ConsentIndex.ts";
import type { ConsentIndexStore } from "./ConsentIndexStore.ts";
import type {
  ConsentIndexSync,
  ConsentIndexSyncEvent,
  ConsentIndexSyncStatus,
  SyncPassResult,
  SyncTimers,
} from "./ConsentIndexSync.ts";
import { followChain } from "./followChain.ts";
import { IndexSyncPass } from "./IndexSyncPass.ts";

/** Options of {@link createConsentIndexSync}. */
export interface ConsentIndexSyncOptions {
  /** The index to fill and keep current. */
  readonly index: ConsentIndex;
  /** The chain: see `createRegistryEventSource`. */
  readonly source: ConsentEventSource;
  /** Persistence; without it every start replays the chain from `fromBlock`. */
  readonly store?: ConsentIndexStore;
  /** First block to read when the store is empty: the registry's deployment block. */
  readonly fromBlock: number;
  /** Clock in unix seconds, passed to `index.markSynced` (use the index's clock). */
  readonly now: () => number;
  /** Blocks to stay behind the head (0 on a chain with immediate finality such as QBFT). */
  readonly confirmations?: number;
  /**
   * Milliseconds between passes once caught up. Keep it well below the index's
   * `maxStalenessSeconds`: each successful pass refreshes the synced mark.
   */
  readonly pollIntervalMs?: number;
  /** Blocks applied (and persisted) per range. */
  readonly rangeSize?: number;
  /** First retry delay after a failure (ms); doubles per consecutive failure. */
  readonly retryInitialMs?: number;
  /** Longest retry delay (ms). */
  readonly retryMaxMs?: number;
  /** Timers (default: the global ones). */
  readonly timers?: SyncTimers;
  /** Stops the sync for good when aborted. */
  readonly signal?: AbortSignal;
  /** Progress and failure reports; exceptions thrown by it are ignored. */
  readonly onEvent?: (event: ConsentIndexSyncEvent) => void;
}

/** Defaults of {@link ConsentIndexSyncOptions}. */
export const defaultConsentIndexSyncOptions = {
  confirmations: 0,
  pollIntervalMs: 5_000,
  rangeSize: 2_000,
  retryInitialMs: 500,
  retryMaxMs: 30_000,
} as const;

const globalTimers: SyncTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function badOption(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
}

function positiveInteger(value: number, field: string, allowZero: boolean): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw badOption(field, `${field} must be a ${allowZero ? "non-negative" : "positive"} integer`);
  }
  return value;
}

function asCustosError(error: unknown): CustosError {
  if (isCustosError(error)) return error;
  return new CustosError("INTERNAL", "consent index sync failed", { cause: error });
}

function stoppedError(): CustosError {
  return new CustosError("CONSENT_SYNC_STOPPED", "the consent index sync was stopped");
}

/** The options checked, with their defaults. */
function syncSettings(options: ConsentIndexSyncOptions) {
  const { index, source } = options;
  if (typeof index?.apply !== "function") throw badOption("index", "index must be a ConsentIndex");
  if (typeof source?.headBlock !== "function" || typeof source.events !== "function") {
    throw badOption("source", "source must be a ConsentEventSource");
  }
  if (typeof options.now !== "function") throw badOption("now", "now must be a function");
  const fromBlock = positiveInteger(options.fromBlock, "fromBlock", true);
  const d = defaultConsentIndexSyncOptions;
  const confirmations = positiveInteger(
    options.confirmations ?? d.confirmations,
    "confirmations",
    true,
  );
  const pollIntervalMs = positiveInteger(
    options.pollIntervalMs ?? d.pollIntervalMs,
    "pollIntervalMs",
    false,
  );
  const rangeSize = positiveInteger(options.rangeSize ?? d.rangeSize, "rangeSize", false);
  const retryInitialMs = positiveInteger(
    options.retryInitialMs ?? d.retryInitialMs,
    "retryInitialMs",
    false,
  );
  const retryMaxMs = positiveInteger(options.retryMaxMs ?? d.retryMaxMs, "retryMaxMs", false);
  const timers = options.timers ?? globalTimers;
  const custodian = source.custodian;
  if (
    custodian !== undefined &&
    (!Number.isInteger(custodian) || custodian < 1 || custodian > 0xffff_ffff)
  ) {
    throw badOption("source.custodian", "source.custodian must be an organisation id");
  }
  return {
    fromBlock,
    confirmations,
    pollIntervalMs,
    rangeSize,
    retryInitialMs,
    retryMaxMs,
    timers,
    custodian,
  };
}

/**
 * Keeps a consent index in step with the ConsentRegistry: loads the persisted records and
 * resumes from the stored block (or starts at `fromBlock`), reads events range by range up
 * to `head − confirmations`, maps them to changes (`consentEventToChange`), applies them,
 * persists each range's touched records with the new position in one commit, and marks the
 * index synced. The index holds one custodian's records: when the source names its
 * `custodian` (as `createRegistryEventSource` does), events of other custodians are
 * skipped. Then it follows the chain: a pass per new block (if the source subscribes) and
 * at least every `pollIntervalMs`.
 *
 * Fail-closed: a failing source or store never throws into the host; the pass is retried
 * with exponential backoff, and the index is marked unsynced (`index.markUnsynced()`), so
 * every check is denied with `INDEX_SYNC_FAILED` at once (`INDEX_NOT_SYNCED` before the first
 * success) until a pass succeeds again.
 *
 * Changes are applied only while no `filterCohortAsync` reads the index (`index.busy`): the
 * sync waits for `index.whenIdle()` between reading a range and applying it.
 *
 * @throws CustosError `INVALID_ARGUMENT` for malformed options.
 * @example
 * ```ts
 * const index = createConsentIndex({ now });
 * const sync = createConsentIndexSync({ index, source, store, fromBlock: deployBlock, now });
 * sync.start();
 * await sync.whenCaughtUp();
 * index.checkAccess(request);
 * // on shutdown
 * await sync.stop();
 * ```
 */
export function createConsentIndexSync(options: ConsentIndexSyncOptions): ConsentIndexSync {
  const settings = syncSettings(options);
  const { index } = options;
  const controller = new AbortController();
  const waiters = new CaughtUpWaiters();
  const passes = new IndexSyncPass({
    index,
    source: options.source,
    store: options.store,
    custodian: settings.custodian,
    fromBlock: settings.fromBlock,
    now: options.now,
    confirmations: settings.confirmations,
    rangeSize: settings.rangeSize,
    emit,
  });
  let state: ConsentIndexSyncStatus["state"] = "idle";
  let failures = 0;
  let lastError: CustosError | null = null;
  let caughtUp = false;
  let loop: Promise<void> | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  function emit(event: ConsentIndexSyncEvent): void {
    try {
      options.onEvent?.(event);
    } catch {
      // A reporting hook must not break the sync.
    }
  }

  /** Runs passes one at a time: the loop and explicit syncOnce calls share the index. */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }

  async function pass(signal: AbortSignal): Promise<SyncPassResult> {
    signal.throwIfAborted();
    state = "syncing";
    return passes.run(signal);
  }

  async function runPass(signal: AbortSignal): Promise<SyncPassResult> {
    try {
      const result = await exclusive(() => pass(signal));
      failures = 0;
      lastError = null;
      state = "live";
      caughtUp = true;
      waiters.settle(null);
      return result;
    } catch (error) {
      const failure = controller.signal.aborted ? stoppedError() : asCustosError(error);
      // A caller's own abort is not a failure of the chain or the store.
      if (!signal.aborted) {
        failures++;
        lastError = failure;
        state = "retrying";
        // Events may have been missed from now on: deny at once, not after the staleness.
        index.markUnsynced();
      }
      throw failure;
    }
  }

  function stopNow(): void {
    if (controller.signal.aborted) return;
    controller.abort(stoppedError());
    state = "stopped";
    waiters.settle(stoppedError());
  }

  if (options.signal?.aborted) stopNow();
  else options.signal?.addEventListener("abort", stopNow, { once: true });

  return {
    start() {
      if (loop !== null || controller.signal.aborted) return;
      loop = followChain({
        source: options.source,
        timers: settings.timers,
        pollIntervalMs: settings.pollIntervalMs,
        retryInitialMs: settings.retryInitialMs,
        retryMaxMs: settings.retryMaxMs,
        signal: controller.signal,
        pass: runPass,
        failures: () => failures,
        onFailure(error, retryInMs) {
          emit({ type: "error", error: asCustosError(error), failures, retryInMs });
        },
      });
    },
    async syncOnce(signal) {
      if (controller.signal.aborted) throw stoppedError();
      const combined =
        signal === undefined ? controller.signal : AbortSignal.any([controller.signal, signal]);
      return runPass(combined);
    },
    whenCaughtUp(signal) {
      if (caughtUp) return Promise.resolve();
      if (controller.signal.aborted) return Promise.reject(stoppedError());
      return waiters.wait(signal);
    },
    status() {
      return { state, ...passes.progress(), failures, lastError };
    },
    async stop() {
      stopNow();
      options.signal?.removeEventListener("abort", stopNow);
      await loop;
      await queue;
      state = "stopped";
    },
  };
}
