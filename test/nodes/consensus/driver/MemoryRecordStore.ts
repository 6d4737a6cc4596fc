import {
  decodeQbftSigningRecord,
  encodeQbftSigningRecord,
  type QbftSigningRecord,
} from "../../../../nodes/consensus/core/index.ts";
import type { SigningRecordStore } from "../../../../nodes/consensus/driver/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import type { ManualClock } from "./ManualClock.ts";
import type { Trace } from "./Trace.ts";

/** A store port with the crash a test can inflict on it. */
export interface CrashableStore extends SigningRecordStore {
  /**
   * The process died: a save under way is lost, or — when `written` — reached the disk
   * although its promise never resolved.
   */
  crash(written: boolean): void;
}

/**
 * A node's signing record kept in memory across its restarts, in the durable (encoded) form,
 * with saves that take `saveMs` of virtual time. Completed saves go to the trace.
 *
 * @example
 * ```ts
 * const store = new MemoryRecordStore(clock, 30, trace, address);
 * const port = store.port("node-0#1");
 * ```
 */
export class MemoryRecordStore {
  readonly #clock: ManualClock;
  readonly #trace: Trace;
  readonly #node: string;
  saveMs: number;
  /** Saves fail from now on. */
  failing = false;
  durable: Uint8Array | undefined;
  /** The record being saved by the running instance, if a save is under way. */
  pending: QbftSigningRecord | undefined;

  constructor(clock: ManualClock, saveMs: number, trace: Trace, node: string) {
    this.#clock = clock;
    this.saveMs = saveMs;
    this.#trace = trace;
    this.#node = node;
  }

  /** The store port of the driver instance `owner`. */
  port(owner: string): CrashableStore {
    return {
      load: async () =>
        this.durable === undefined ? undefined : decodeQbftSigningRecord(this.durable),
      save: async (record) => {
        if (this.failing) {
          throw new CustosError("CONSENSUS_RECORD_STORE_FAILED", "disk full (test)");
        }
        this.pending = record;
        await this.#clock.sleep(owner, this.saveMs);
        this.pending = undefined;
        this.durable = encodeQbftSigningRecord(record);
        this.#trace.saved(this.#node, record);
      },
      crash: (written) => {
        if (written && this.pending !== undefined) {
          this.durable = encodeQbftSigningRecord(this.pending);
          this.#trace.saved(this.#node, this.pending);
        }
        this.pending = undefined;
      },
    };
  }
}
