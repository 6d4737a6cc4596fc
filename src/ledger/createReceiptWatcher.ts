import type { Provider, TransactionReceipt } from "ethers";
import { CustosError } from "../errors/index.ts";

/** Waits for the receipts of sent transactions. */
export interface ReceiptWatcher {
  /**
   * The receipt of the transaction `hash` once it is mined (whatever its status).
   *
   * @throws CustosError `LEDGER_UNAVAILABLE` (details `{ sent: true, hash }`) when no receipt
   *   came within the watcher's timeout: the transaction may still be mined later.
   */
  wait(hash: string): Promise<TransactionReceipt>;
}

/** Time as the watcher sees it; tests drive it by hand. */
export interface WatcherClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** Options of {@link createReceiptWatcher}. */
export interface ReceiptWatcherOptions {
  /** Milliseconds between polls of the head (default 250). */
  readonly pollMs?: number;
  /** Give up on a transaction without a receipt after this many milliseconds (default 120 s). */
  readonly timeoutMs?: number;
  /** Default: `performance.now` and `setTimeout`. */
  readonly clock?: WatcherClock;
}

/** Defaults of {@link ReceiptWatcherOptions}. */
export const defaultReceiptWatcherOptions = { pollMs: 250, timeoutMs: 120_000 } as const;

const realClock: WatcherClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Waiter {
  readonly since: number;
  readonly resolve: (receipt: TransactionReceipt) => void;
  readonly reject: (error: CustosError) => void;
  /** Not looked up yet: it is, at the next poll, even if the head has not moved. */
  fresh: boolean;
}

/**
 * A watcher for the receipts of transactions a batch keeps in flight. One polling loop serves
 * all of them: it reads the head every `pollMs` and asks for the receipts of the waiting
 * transactions only when the head moved (and once for each new one), so a poll of an idle
 * chain costs one request however many transactions wait. ethers' own `wait()` listens for
 * blocks at the provider's polling interval (4 s by default), which would leave a 1 s chain
 * idle between the chunks of an import. A failed request counts as no answer: the loop goes
 * on until the transaction's timeout.
 *
 * @example
 * ```ts
 * const watcher = createReceiptWatcher(provider);
 * const receipt = await watcher.wait(hash); // LEDGER_UNAVAILABLE after 120 s without one
 * ```
 */
export function createReceiptWatcher(
  provider: Pick<Provider, "getBlockNumber" | "getTransactionReceipt">,
  options: ReceiptWatcherOptions = {},
): ReceiptWatcher {
  const pollMs = options.pollMs ?? defaultReceiptWatcherOptions.pollMs;
  const timeoutMs = options.timeoutMs ?? defaultReceiptWatcherOptions.timeoutMs;
  const clock = options.clock ?? realClock;
  const waiters = new Map<string, Waiter>();
  let lastHead: number | undefined;
  let polling = false;

  const lookUp = async (hash: string, waiter: Waiter): Promise<void> => {
    waiter.fresh = false;
    let receipt: TransactionReceipt | null;
    try {
      receipt = await provider.getTransactionReceipt(hash);
    } catch {
      return;
    }
    if (receipt === null || waiters.get(hash) !== waiter) return;
    waiters.delete(hash);
    waiter.resolve(receipt);
  };

  const poll = async (): Promise<void> => {
    let head: number | undefined;
    try {
      head = await provider.getBlockNumber();
    } catch {
      head = undefined;
    }
    const moved = head !== undefined && head !== lastHead;
    if (moved) lastHead = head;
    await Promise.all(
      [...waiters].filter(([, w]) => moved || w.fresh).map(([hash, w]) => lookUp(hash, w)),
    );
    const now = clock.now();
    for (const [hash, waiter] of waiters) {
      if (now - waiter.since < timeoutMs) continue;
      waiters.delete(hash);
      waiter.reject(
        new CustosError("LEDGER_UNAVAILABLE", "no receipt for a sent transaction", {
          details: { sent: true, hash, waitedMs: Math.round(now - waiter.since) },
        }),
      );
    }
  };

  const loop = async (): Promise<void> => {
    polling = true;
    try {
      for (;;) {
        await poll();
        if (waiters.size === 0) return;
        await clock.sleep(pollMs);
      }
    } finally {
      polling = false;
    }
  };

  return {
    wait: (hash) =>
      new Promise<TransactionReceipt>((resolve, reject) => {
        waiters.set(hash, { since: clock.now(), resolve, reject, fresh: true });
        if (!polling) void loop();
      }),
  };
}
