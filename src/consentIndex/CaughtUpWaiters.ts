import { CustosError } from "../errors/index.ts";

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: CustosError) => void;
}

/**
 * The callers of `ConsentIndexSync.whenCaughtUp` still waiting: all settled together when a
 * pass reaches the head or the sync stops; each may leave early through its own signal.
 *
 * @example
 * ```ts
 * const waiters = new CaughtUpWaiters();
 * const caughtUp = waiters.wait(signal);
 * waiters.settle(null); // caughtUp resolves
 * ```
 */
export class CaughtUpWaiters {
  readonly #waiting: Waiter[] = [];

  /**
   * Resolves at the next `settle(null)`.
   *
   * @throws CustosError (rejects) the error given to `settle`; `CONSENT_SYNC_STOPPED` with
   *   details `{ aborted: true }` when `signal` aborts first.
   */
  wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      const waiting = this.#waiting;
      function onAbort(): void {
        const at = waiting.indexOf(waiter);
        if (at >= 0) waiting.splice(at, 1);
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
      waiting.push(waiter);
    });
  }

  /** Resolves every waiter (`error` null) or rejects them all with `error`. */
  settle(error: CustosError | null): void {
    for (const waiter of this.#waiting.splice(0)) {
      if (error === null) waiter.resolve();
      else waiter.reject(error);
    }
  }
}
