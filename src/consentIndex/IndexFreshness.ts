import { CustosError } from "../errors/index.ts";
import {
  isWellFormedAt,
  isWellFormedCategories,
  isWellFormedUse,
  reasonCode,
} from "./AccessDecision.ts";

function invalidArgument(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
}

/**
 * Whether a consent index may answer at all: its sync marks against the clock, and the
 * request-wide part of a check (the use, categories and time every subject shares), asked
 * before any record is read.
 *
 * @example
 * ```ts
 * const freshness = new IndexFreshness(() => Math.floor(Date.now() / 1000), 60);
 * freshness.markSynced(head, Math.floor(Date.now() / 1000));
 * freshness.requestReason(use, categories, undefined); // -1: go on to the records
 * ```
 */
export class IndexFreshness {
  readonly #now: () => number;
  readonly #maxStaleness: number;
  #syncedBlock: number | null = null;
  #syncedAt: number | null = null;
  #syncFailed = false;
  /**
   * The `at` of the check in progress, set by {@link IndexFreshness.requestReason}: a field
   * rather than a second return value, so that a check allocates nothing.
   */
  checkedAt = 0;

  /**
   * @param now - the clock, unix seconds.
   * @param maxStaleness - seconds after the last `markSynced` before checks deny `INDEX_STALE`.
   */
  constructor(now: () => number, maxStaleness: number) {
    this.#now = now;
    this.#maxStaleness = maxStaleness;
  }

  /** Block of the last `markSynced` (null: never). */
  get syncedBlock(): number | null {
    return this.#syncedBlock;
  }

  /** Clock time passed to the last `markSynced` (null: never). */
  get syncedAt(): number | null {
    return this.#syncedAt;
  }

  /** `markUnsynced` was called after the last `markSynced`. */
  get syncFailed(): boolean {
    return this.#syncFailed;
  }

  /**
   * Records that every event up to `blockNumber` is applied, as of clock time `atTime`.
   *
   * @throws CustosError `INVALID_ARGUMENT` for a malformed argument;
   *   `CONSENT_SYNC_REGRESSION` if `blockNumber` is below the block already marked.
   */
  markSynced(blockNumber: number, atTime: number): void {
    if (!Number.isSafeInteger(blockNumber) || blockNumber < 0) {
      throw invalidArgument("blockNumber", "blockNumber must be a non-negative safe integer");
    }
    if (typeof atTime !== "number" || !Number.isFinite(atTime)) {
      throw invalidArgument("atTime", "atTime must be a finite number of unix seconds");
    }
    const syncedBlock = this.#syncedBlock;
    if (syncedBlock !== null && blockNumber < syncedBlock) {
      throw new CustosError("CONSENT_SYNC_REGRESSION", "synced block moved backwards", {
        details: { syncedBlock, blockNumber },
      });
    }
    this.#syncedBlock = blockNumber;
    this.#syncedAt = atTime;
    this.#syncFailed = false;
  }

  /** Records that the sync failed: every check denies until the next `markSynced`. */
  markUnsynced(): void {
    this.#syncFailed = true;
  }

  /**
   * Reason number for the request-wide part of a check, or -1 to go on (then `checkedAt`
   * holds the time to evaluate the records at).
   *
   * @throws CustosError `INTERNAL` when the clock returns a non-finite value.
   */
  requestReason(use: unknown, categories: unknown, at: unknown): number {
    // Called as a plain function, as the caller's clock expects.
    const now = this.#now;
    const clock = now();
    if (typeof clock !== "number" || !Number.isFinite(clock)) {
      throw new CustosError("INTERNAL", "the clock returned a non-finite value");
    }
    const when = at === undefined ? Math.floor(clock) : at;
    if (!isWellFormedUse(use) || !isWellFormedCategories(categories) || !isWellFormedAt(when)) {
      return reasonCode.INVALID_REQUEST;
    }
    this.checkedAt = when;
    if (this.#syncedAt === null) return reasonCode.INDEX_NOT_SYNCED;
    if (this.#syncFailed) return reasonCode.INDEX_SYNC_FAILED;
    if (clock - this.#syncedAt > this.#maxStaleness) return reasonCode.INDEX_STALE;
    return -1;
  }
}
