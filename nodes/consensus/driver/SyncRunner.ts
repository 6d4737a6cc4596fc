import { isCustosError } from "../../../src/errors/index.ts";
import type { ConsensusChain, ConsensusChainHead } from "./ConsensusChain.ts";
import type { ConsensusLogger } from "./ConsensusLogger.ts";
import type { ConsensusSync } from "./ConsensusSync.ts";
import type { DriverCounters } from "./DriverCounters.ts";
import type { InFlightWork } from "./InFlightWork.ts";
import type { TimerSet } from "./TimerSet.ts";

/** What a {@link SyncRunner} works with. */
export interface SyncHost {
  readonly sync: ConsensusSync;
  readonly chain: ConsensusChain;
  readonly work: InFlightWork;
  readonly timers: TimerSet;
  readonly retryMs: number;
  readonly counters: DriverCounters;
  readonly logger: ConsensusLogger;
  /** Hands the chain's head to the queue (as `newChainHead`). */
  deliver(head: ConsensusChainHead): void;
  /** The height the core is deciding now. */
  deciding(): bigint;
}

interface Attempt {
  readonly head: ConsensusChainHead;
  readonly error: unknown;
}

/**
 * Runs the sync the core asks for with `behind`: one sync at a time towards the highest
 * target asked for; when one ends (done, short or failed) the chain's head is fed to the
 * core, and while it is below the target another attempt follows after `retryMs` — the core
 * says `behind` only once per height, so the driver must not give up. It stops as soon as
 * the chain reaches the target or the core decides a height above it (consensus got there
 * first).
 *
 * @example
 * ```ts
 * const sync = new SyncRunner(host);
 * sync.request(effect.height - 1n);
 * sync.syncing; // true until the chain reaches it
 * ```
 */
export class SyncRunner {
  readonly #host: SyncHost;
  #target: bigint | undefined;
  /** An attempt runs or a retry is scheduled. */
  #busy = false;
  /** The target last logged as started. */
  #announced: bigint | undefined;

  constructor(host: SyncHost) {
    this.#host = host;
  }

  /** A target is set and not reached. */
  get syncing(): boolean {
    return this.#target !== undefined;
  }

  /** Brings the chain up to `target` (a block height), or further when a higher target is set. */
  request(target: bigint): void {
    if (this.#target === undefined || target > this.#target) this.#target = target;
    if (!this.#busy) this.#attempt();
  }

  #attempt(): void {
    const target = this.#target;
    if (target === undefined || this.#host.deciding() > target) {
      this.#target = undefined;
      this.#busy = false;
      return;
    }
    this.#busy = true;
    const { sync, chain, work, logger } = this.#host;
    // Retries every retryMs while no peer has the blocks: said once per target.
    if (target !== this.#announced) logger.info({ target }, "sync started");
    else logger.debug({ target }, "sync retried");
    this.#announced = target;
    work.run(
      async (signal): Promise<Attempt> => {
        let error: unknown;
        try {
          await sync.syncTo(target, signal);
        } catch (caught) {
          error = caught;
        }
        return { head: await chain.head(), error };
      },
      (attempt) => this.#finished(target, attempt),
      (error) => {
        this.#host.counters.failed("sync");
        logger.error({ err: error, target }, "chain head unreadable after sync");
        this.#retry();
      },
    );
  }

  #finished(asked: bigint, { head, error }: Attempt): void {
    const { counters, logger } = this.#host;
    this.#host.deliver(head);
    const reached = head.head.height;
    const target = this.#target ?? asked;
    if (reached >= target) {
      counters.synced("reached");
      logger.info({ height: reached }, "sync reached its target");
      this.#target = undefined;
      this.#busy = false;
      return;
    }
    if (reached >= asked) {
      // The target rose while this attempt ran: go on at once.
      this.#attempt();
      return;
    }
    if (error !== undefined) counters.failed("sync");
    counters.synced(error === undefined ? "short" : "failed");
    // No peer with the blocks yet (still connecting, or all behind) is expected and retried.
    if (isCustosError(error, "SYNC_NO_PEER")) {
      logger.debug({ height: reached, target }, "sync waits for a peer with the blocks");
    } else {
      logger.warn({ err: error, height: reached, target }, "sync ended below its target");
    }
    this.#retry();
  }

  #retry(): void {
    this.#host.timers.after(this.#host.retryMs, () => this.#attempt());
  }
}
