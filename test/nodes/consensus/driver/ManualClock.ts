import type { ConsensusTimer, ConsensusTimers } from "../../../../nodes/consensus/driver/index.ts";

interface Pending {
  readonly due: number;
  readonly order: number;
  readonly owner: string;
  readonly callback: () => void;
}

/** Lets every promise chain waiting on already-settled work run to its end. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests: time moves only in `advance`, timers fire in due order (ties in
 * the order they were set), and promises settle between two firings, so a driver's awaits
 * happen "instantly" at the virtual time they resolve. Timers are set per owner (a driver
 * instance, the network, a fake port) so a test can count one owner's live timers, and drop
 * them all when it simulates that process crashing.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(1_700_000_000_000);
 * const timers = clock.timers("node-0");
 * await clock.advance(2_000);
 * clock.live("node-0"); // timers still set
 * ```
 */
export class ManualClock {
  #now: number;
  #order = 0;
  readonly #pending = new Set<Pending>();

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** The {@link ConsensusTimers} port of `owner`. */
  timers(owner: string): ConsensusTimers {
    return {
      now: () => this.#now,
      setTimeout: (callback, delayMs) => this.schedule(owner, delayMs, callback),
    };
  }

  /** Sets a timer for `owner`. */
  schedule(owner: string, delayMs: number, callback: () => void): ConsensusTimer {
    const pending: Pending = {
      due: this.#now + Math.max(0, delayMs),
      order: this.#order++,
      owner,
      callback,
    };
    this.#pending.add(pending);
    return { cancel: () => void this.#pending.delete(pending) };
  }

  /**
   * Resolves after `delayMs` of virtual time; rejects with an AbortError a turn after
   * `signal` aborts.
   */
  sleep(owner: string, delayMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new DOMException("aborted", "AbortError"));
        return;
      }
      const timer = this.schedule(owner, delayMs, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        timer.cancel();
        // Unwinding takes a turn of the event loop, as real I/O does: a caller that does
        // not wait for the rejection sees the work still pending.
        setImmediate(() => reject(new DOMException("aborted", "AbortError")));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Timers set and not fired or cancelled, of `owner` or of everyone. */
  live(owner?: string): number {
    let count = 0;
    for (const pending of this.#pending)
      if (owner === undefined || pending.owner === owner) count++;
    return count;
  }

  /** Forgets every timer of `owner`: a crashed process's timers never fire. */
  dropOwner(owner: string): void {
    for (const pending of [...this.#pending]) {
      if (pending.owner === owner) this.#pending.delete(pending);
    }
  }

  #next(until: number): Pending | undefined {
    let next: Pending | undefined;
    for (const pending of this.#pending) {
      if (pending.due > until) continue;
      if (
        next === undefined ||
        pending.due < next.due ||
        (pending.due === next.due && pending.order < next.order)
      ) {
        next = pending;
      }
    }
    return next;
  }

  /** Moves time forward by `ms`, firing what falls due and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await settle();
    for (let next = this.#next(until); next !== undefined; next = this.#next(until)) {
      this.#pending.delete(next);
      this.#now = next.due;
      next.callback();
      await settle();
    }
    this.#now = until;
    await settle();
  }

  /** Advances in `stepMs` steps until `done()` holds; false when `limitMs` passed first. */
  async runUntil(done: () => boolean, limitMs: number, stepMs = 50): Promise<boolean> {
    const until = this.#now + limitMs;
    while (!done()) {
      if (this.#now >= until) return false;
      await this.advance(Math.min(stepMs, until - this.#now));
    }
    return true;
  }
}
