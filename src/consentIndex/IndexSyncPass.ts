import { CustosError } from "../errors/index.ts";
import type { ConsentEventSource } from "./ConsentEventSource.ts";
import type { ConsentIndex } from "./ConsentIndex.ts";
import type { ConsentIndexStore } from "./ConsentIndexStore.ts";
import type {
  ConsentIndexSyncEvent,
  ConsentIndexSyncStatus,
  SyncPassResult,
} from "./ConsentIndexSync.ts";
import { type ConsentRegistryEventLike, consentEventToChange } from "./consentEventToChange.ts";

/** What {@link IndexSyncPass} reads from, writes to and reports through. */
export interface IndexSyncPassOptions {
  readonly index: ConsentIndex;
  readonly source: ConsentEventSource;
  readonly store: ConsentIndexStore | undefined;
  /** The custodian whose events are applied (undefined: every event). */
  readonly custodian: number | undefined;
  /** First block to read when the store is empty. */
  readonly fromBlock: number;
  /** Clock in unix seconds, passed to `index.markSynced`. */
  readonly now: () => number;
  /** Blocks to stay behind the head. */
  readonly confirmations: number;
  /** Blocks applied (and persisted) per range. */
  readonly rangeSize: number;
  /** Never throws. */
  readonly emit: (event: ConsentIndexSyncEvent) => void;
}

/**
 * The sync's position on the chain and the pass that advances it: loads the store into the
 * index on first use, then applies and persists the chain's events range by range up to
 * `head − confirmations`, marking the index synced after each range. Passes must not
 * overlap (the caller runs them one at a time).
 *
 * @example
 * ```ts
 * const passes = new IndexSyncPass({ index, source, store, custodian: source.custodian,
 *   fromBlock, now, confirmations: 0, rangeSize: 2_000, emit: () => {} });
 * await passes.run(signal); // { headBlock, syncedThrough, applied, ignored }
 * ```
 */
export class IndexSyncPass {
  readonly #options: IndexSyncPassOptions;
  #loaded = false;
  #scope: string | null = null;
  #next: number;
  #syncedThrough: number | null = null;
  #headBlock: number | null = null;
  #applied = 0;
  #ignored = 0;
  #gaps = 0;

  constructor(options: IndexSyncPassOptions) {
    this.#options = options;
    this.#next = options.fromBlock;
  }

  /** Where the passes stand: the counts over all passes since creation. */
  progress(): Pick<
    ConsentIndexSyncStatus,
    "nextBlock" | "headBlock" | "syncedThrough" | "applied" | "ignored" | "gaps"
  > {
    return {
      nextBlock: this.#next,
      headBlock: this.#headBlock,
      syncedThrough: this.#syncedThrough,
      applied: this.#applied,
      ignored: this.#ignored,
      gaps: this.#gaps,
    };
  }

  /**
   * One pass up to the head.
   *
   * @throws CustosError from the source or store, `CONSENT_INDEX_STORE_MISMATCH`,
   *   `CONSENT_INDEX_STORE_CORRUPT`, `LEDGER_BAD_RESPONSE`; the signal's reason once aborted.
   */
  async run(signal: AbortSignal): Promise<SyncPassResult> {
    const { index, source, now, confirmations, rangeSize, emit } = this.#options;
    if (!this.#loaded) await this.#load(signal);
    const head = await source.headBlock(signal);
    if (!Number.isSafeInteger(head) || head < 0) {
      throw new CustosError("LEDGER_BAD_RESPONSE", "the source returned a malformed head block", {
        details: { field: "headBlock" },
      });
    }
    this.#headBlock = head;
    if (this.#syncedThrough !== null && head < this.#syncedThrough) {
      throw new CustosError(
        "CONSENT_INDEX_STORE_MISMATCH",
        "the index is synced beyond the chain's head",
        { details: { problem: "ahead", syncedThrough: this.#syncedThrough, head } },
      );
    }
    const target = head - confirmations;
    let passApplied = 0;
    let passIgnored = 0;
    while (this.#next <= target) {
      const start = this.#next;
      const end = Math.min(target, start + rangeSize - 1);
      const range = await this.#applyRange(start, end, signal);
      this.#next = end + 1;
      this.#syncedThrough = end;
      this.#applied += range.applied;
      this.#ignored += range.ignored;
      passApplied += range.applied;
      passIgnored += range.ignored;
      index.markSynced(end, now());
      emit({ type: "synced", fromBlock: start, toBlock: end, ...range });
    }
    // Nothing new (or the remainder of the pass): the head was read, so the index is current
    // as of now. Before the deployment block there are no events to miss.
    const through = this.#syncedThrough ?? (target >= 0 ? Math.min(target, this.#next - 1) : null);
    if (through !== null) index.markSynced(through, now());
    return { headBlock: head, syncedThrough: through, applied: passApplied, ignored: passIgnored };
  }

  async #load(signal: AbortSignal): Promise<void> {
    const { index, source, store, emit } = this.#options;
    const scope = source.scope === undefined ? null : await source.scope(signal);
    this.#scope = scope;
    if (store === undefined) {
      this.#loaded = true;
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
        await this.#untilIndexIdle();
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
      this.#next = position.blockNumber + 1;
      this.#syncedThrough = position.blockNumber;
    }
    this.#loaded = true;
    emit({ type: "loaded", records, position });
  }

  /** Waits while a cohort filter reads the index (which refuses changes meanwhile). */
  async #untilIndexIdle(): Promise<void> {
    const index = this.#options.index;
    while (index.busy) await index.whenIdle();
  }

  async #readRange(
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<ConsentRegistryEventLike[]> {
    const events: ConsentRegistryEventLike[] = [];
    for await (const event of this.#options.source.events({
      fromBlock: from,
      toBlock: to,
      signal,
    })) {
      events.push(event);
    }
    return events;
  }

  async #applyRange(from: number, to: number, signal: AbortSignal) {
    const { index, store, custodian, emit } = this.#options;
    // Read the whole range before applying: a source failure mid-range changes nothing.
    const events = await this.#readRange(from, to, signal);
    await this.#untilIndexIdle();
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
        this.#gaps++;
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
      await store.commit({ records, position: { blockNumber: to, scope: this.#scope } }, signal);
    }
    return { applied: rangeApplied, ignored: rangeIgnored };
  }
}
