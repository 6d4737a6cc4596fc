import type { CustosError } from "../errors/index.ts";
import type { StoredSyncPosition } from "./ConsentIndexStore.ts";

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
