import { CustosError, isCustosError } from "../errors/index.ts";
import type { ConsentEventSource } from "./ConsentEventSource.ts";
import type { ConsentIndexStore, StoredSyncPosition } from "./ConsentIndexStore.ts";
import { type ConsentRegistryEventLike, consentEventToChange } from "./consentEventToChange.ts";
import type { ConsentIndex } from "./consentIndex.ts";

/** Timer port of the sync (injected so tests drive time; default: the global timers). */
export interface SyncTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What the sync reports as it goes (for logs and metrics; never contains record terms). */
export type ConsentIndexSyncEvent =
  | {
      /** The store was read into the index. */
      readonly type: "loaded";
      readonly records: number;
      readonly position: StoredSyncPosition | null;
    }
  | {
      /** A block range was applied, persisted and marked synced. */
      readonly type: "synced";
      readonly fromBlock: number;
      readonly toBlock: number;
      readonly applied: number;
      readonly ignored: number;
    }
  | {
      /** An event skipped versions the index never saw (see `MappedConsentEvent.gap`). */
      readonly type: "gap";
      readonly subject: string;
      readonly version: number;
      readonly blockNumber: number;
    }
  | {
      /** A pass failed; the index is marked unsynced (every check denied) until a pass works. */
      readonly type: "error";
      readonly error: CustosError;
      readonly failures: number;
      readonly retryInMs: number;
    };

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

/** Where the sync stands. */
export interface ConsentIndexSyncStatus {
  readonly state: "idle" | "syncing" | "live" | "retrying" | "stopped";
  /** Next block to read. */
  readonly nextBlock: number;
  /** Head seen by the last pass (null: none yet). */
  readonly headBlock: number | null;
  /** Last block applied and persisted (null: none). */
  readonly syncedThrough: number | null;
  /** Changes applied / ignored as not newer, since creation. */
  readonly applied: number;
  readonly ignored: number;
  /** Events that skipped versions. */
  readonly gaps: number;
  /** Consecutive failed passes (0 when the last pass worked). */
  readonly failures: number;
  readonly lastError: CustosError | null;
}

/** Outcome of one pass. */
export interface SyncPassResult {
  readonly headBlock: number;
  /** Last block applied (null when nothing was ever synced). */
  readonly syncedThrough: number | null;
  readonly applied: number;
  readonly ignored: number;
}

/** Keeps a consent index in step with the chain. */
export interface ConsentIndexSync {
  /** Starts following the chain (initial sync, then live); idempotent. Never throws. */
  start(): void;
  /**
   * One pass: loads the store on first use, then applies every range up to the head.
   *
   * @throws CustosError from the source or store (`LEDGER_UNAVAILABLE`, …),
   *   `CONSENT_INDEX_STORE_MISMATCH`, `CONSENT_SYNC_STOPPED`.
   */
  syncOnce(signal?: AbortSignal): Promise<SyncPassResult>;
  /**
   * Resolves after the first pass that reached the head.
   *
   * @throws CustosError `CONSENT_SYNC_STOPPED` if the sync stops first or `signal` aborts.
   */
  whenCaughtUp(signal?: AbortSignal): Promise<void>;
  status(): ConsentIndexSyncStatus;
  /** Stops following; resolves once the running pass has ended. */
  stop(): Promise<void>;
}

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

/**
 * Keeps a consent index in step with the ConsentRegistry: loads the persisted records and
 * resumes from the stored block (or starts at `fromBlock`), reads events range by range up
 * to `head − confirmations`, maps them to changes (`consentEventToChange`), applies them,
 * persists each range's touched records with the new position in one commit, and marks the
 * index synced. The index holds one custodian's records: when the source names its
 * `custodian` (as `createRegistryEventSource` does), events of other custodians are skipped. Then it follows the chain: a pass per new block (if the source subscribes)
 * and at least every `pollIntervalMs`.
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
  const { index, source, store } = options;
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

  const controller = new AbortController();
  let state: ConsentIndexSyncStatus["state"] = "idle";
  let loaded = false;
  let scope: string | null = null;
  let next = fromBlock;
  let syncedThrough: number | null = null;
  let headBlock: number | null = null;
  let applied = 0;
  let ignored = 0;
  let gaps = 0;
  let failures = 0;
  let lastError: CustosError | null = null;
  let caughtUp = false;
  const waiters: { resolve: () => void; reject: (error: CustosError) => void }[] = [];
  let loop: Promise<void> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let wake: (() => void) | null = null;
  let woken = false;

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

  async function load(signal: AbortSignal): Promise<void> {
    scope = source.scope === undefined ? null : await source.scope(signal);
    if (store === undefined) {
      loaded = true;
      return;
    }
    const position = await store.readPosition(signal);
    if (
      position !== null &&
      position.scope !== null &&
      scope !== null &&
      position.scope !== scope
    ) {
      throw new CustosError(
        "CONSENT_INDEX_STORE_MISMATCH",
        "the consent store belongs to another chain or registry",
        { details: { problem: "scope", stored: position.scope, source: scope } },
      );
    }
    let records = 0;
    if (position !== null) {
      for await (const { subject, state: record } of store.records(signal)) {
        await untilIndexIdle();
        if (record.status === "none") {
          throw new CustosError("CONSENT_INDEX_STORE_CORRUPT", "stored record has status none", {
            details: { key: "record", problem: "status" },
          });
        }
        index.apply({
          subject,
          ...record,
          status: record.status,
          blockNumber: position.blockNumber,
          logIndex: 0,
        });
        records++;
      }
      next = position.blockNumber + 1;
      syncedThrough = position.blockNumber;
    }
    loaded = true;
    emit({ type: "loaded", records, position });
  }

  /** Waits while a cohort filter reads the index (which refuses changes meanwhile). */
  async function untilIndexIdle(): Promise<void> {
    while (index.busy) await index.whenIdle();
  }

  async function readRange(
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<ConsentRegistryEventLike[]> {
    const events: ConsentRegistryEventLike[] = [];
    for await (const event of source.events({ fromBlock: from, toBlock: to, signal })) {
      events.push(event);
    }
    return events;
  }

  async function applyRange(from: number, to: number, signal: AbortSignal) {
    // Read the whole range before applying: a source failure mid-range changes nothing.
    const events = await readRange(from, to, signal);
    await untilIndexIdle();
    signal.throwIfAborted();
    // From here to the end of the loop nothing awaits, so no cohort filter can start reading
    // the table while it changes.
    const touched = new Set<string>();
    let rangeApplied = 0;
    let rangeIgnored = 0;
    for (const event of events) {
      // One index, one custodian: another hospital's record of the same pseudonym is a
      // different record and never reaches this index.
      if (custodian !== undefined && event.args.custodian !== custodian) continue;
      const mapped = consentEventToChange(event, (subject) => index.getRecord(subject));
      if (mapped === undefined) continue;
      const subject = String(mapped.change.subject).toLowerCase();
      if (mapped.gap) {
        gaps++;
        emit({
          type: "gap",
          subject,
          version: mapped.change.version,
          blockNumber: event.blockNumber,
        });
      }
      if (index.apply(mapped.change) === "applied") rangeApplied++;
      else rangeIgnored++;
      touched.add(subject);
    }
    if (store !== undefined) {
      // Every touched subject is written, applied or not: after a failed commit the retry
      // finds the changes already in memory (ignored) and must still persist them.
      const records = [...touched].map((subject) => ({
        subject: subject as `0x${string}`,
        state: index.getRecord(subject) as NonNullable<ReturnType<ConsentIndex["getRecord"]>>,
      }));
      await store.commit({ records, position: { blockNumber: to, scope } }, signal);
    }
    return { applied: rangeApplied, ignored: rangeIgnored };
  }

  async function pass(signal: AbortSignal): Promise<SyncPassResult> {
    signal.throwIfAborted();
    state = "syncing";
    if (!loaded) await load(signal);
    const head = await source.headBlock(signal);
    if (!Number.isSafeInteger(head) || head < 0) {
      throw new CustosError("LEDGER_BAD_RESPONSE", "the source returned a malformed head block", {
        details: { field: "headBlock" },
      });
    }
    headBlock = head;
    if (syncedThrough !== null && head < syncedThrough) {
      throw new CustosError(
        "CONSENT_INDEX_STORE_MISMATCH",
        "the index is synced beyond the chain's head",
        { details: { problem: "ahead", syncedThrough, head } },
      );
    }
    const target = head - confirmations;
    let passApplied = 0;
    let passIgnored = 0;
    while (next <= target) {
      const end = Math.min(target, next + rangeSize - 1);
      const range = await applyRange(next, end, signal);
      const start = next;
      next = end + 1;
      syncedThrough = end;
      applied += range.applied;
      ignored += range.ignored;
      passApplied += range.applied;
      passIgnored += range.ignored;
      index.markSynced(end, options.now());
      emit({ type: "synced", fromBlock: start, toBlock: end, ...range });
    }
    // Nothing new (or the remainder of the pass): the head was read, so the index is current
    // as of now. Before the deployment block there are no events to miss.
    const through = syncedThrough ?? (target >= 0 ? Math.min(target, next - 1) : null);
    if (through !== null) index.markSynced(through, options.now());
    return { headBlock: head, syncedThrough: through, applied: passApplied, ignored: passIgnored };
  }

  function settleWaiters(error: CustosError | null): void {
    for (const waiter of waiters.splice(0)) {
      if (error === null) waiter.resolve();
      else waiter.reject(error);
    }
  }

  async function runPass(signal: AbortSignal): Promise<SyncPassResult> {
    try {
      const result = await exclusive(() => pass(signal));
      failures = 0;
      lastError = null;
      state = "live";
      caughtUp = true;
      settleWaiters(null);
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

  function sleep(ms: number, wakeable: boolean): Promise<void> {
    if (wakeable && woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let handle: unknown;
      const done = () => {
        timers.clearTimeout(handle);
        controller.signal.removeEventListener("abort", done);
        wake = null;
        resolve();
      };
      handle = timers.setTimeout(done, ms);
      controller.signal.addEventListener("abort", done);
      wake = wakeable ? done : null;
    });
  }

  async function run(): Promise<void> {
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = source.onBlock?.(() => {
        woken = true;
        if (wake !== null) {
          woken = false;
          wake();
        }
      });
    } catch {
      // Without a subscription the sync polls.
    }
    try {
      while (!controller.signal.aborted) {
        let delay = pollIntervalMs;
        try {
          await runPass(controller.signal);
        } catch (error) {
          if (controller.signal.aborted) break;
          delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures - 1, 30));
          emit({ type: "error", error: asCustosError(error), failures, retryInMs: delay });
        }
        await sleep(delay, failures === 0);
      }
    } finally {
      try {
        unsubscribe?.();
      } catch {
        // Unsubscribing is best effort on shutdown.
      }
    }
  }

  function stopNow(): void {
    if (controller.signal.aborted) return;
    controller.abort(stoppedError());
    state = "stopped";
    settleWaiters(stoppedError());
  }

  if (options.signal?.aborted) stopNow();
  else options.signal?.addEventListener("abort", stopNow, { once: true });

  return {
    start() {
      if (loop !== null || controller.signal.aborted) return;
      loop = run();
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
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
          reject: (error: CustosError) => {
            signal?.removeEventListener("abort", onAbort);
            reject(error);
          },
        };
        function onAbort(): void {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(
            new CustosError("CONSENT_SYNC_STOPPED", "waiting for the consent index sync aborted", {
              details: { aborted: true },
            }),
          );
        }
        if (signal?.aborted) {
          onAbort();
          return;
        }
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    status() {
      return {
        state,
        nextBlock: next,
        headBlock,
        syncedThrough,
        applied,
        ignored,
        gaps,
        failures,
        lastError,
      };
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
