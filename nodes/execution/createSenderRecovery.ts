import { Worker } from "node:worker_threads";
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { siblingModuleUrl } from "../../src/runtime/index.ts";
import type { RecoveredKeyMemo, RecoveryItem } from "./RecoveredKeyMemo.ts";

/** A request to the worker. */
export interface RecoveryRequest {
  readonly id: number;
  readonly items: readonly RecoveryItem[];
}

/** The worker's answer: a public key per item, undefined where recovery failed. */
export interface RecoveryResponse {
  readonly id: number;
  readonly keys: readonly (Uint8Array | undefined)[];
}

/** Senders being recovered for a list of transactions. */
export interface PrefetchedSenders {
  /** Resolves once transaction `index`'s sender is recovered (or undefined: nothing to wait for). */
  ready(index: number): Promise<void> | undefined;
}

/** Recovers transaction senders on a worker thread ahead of execution. */
export interface SenderRecovery {
  /** Starts recovering the senders not known yet, in chunks, in transaction order. */
  prefetch(txs: readonly TypedTransaction[]): PrefetchedSenders;
}

/** Transactions per message: the first chunk is ready after ~50 recoveries (~5 ms). */
const CHUNK = 50;

/**
 * Creates the sender recovery: a worker thread (created on first use, not keeping the process
 * alive) recovers the public keys of a block's transactions while the main thread executes
 * the earlier ones, on the other core. The keys are handed to the native `ecrecover` through
 * `memo`, keyed by its exact arguments ({@link RecoveredKeyMemo}: the one the chain's `Common`
 * reads), so EthereumJS still runs
 * its own signature checks (EIP-2 low s, v) and only the elliptic-curve work moves; a
 * missing or failed recovery falls back to recovering on the main thread, where an invalid
 * signature is reported as before.
 *
 * @example
 * ```ts
 * const senders = createSenderRecovery(recoveredKeys).prefetch(block.transactions);
 * for (const [i, tx] of block.transactions.entries()) { await senders.ready(i); ... }
 * ```
 */
export function createSenderRecovery(memo: RecoveredKeyMemo): SenderRecovery {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { items: readonly RecoveryItem[]; done: () => void }>();

  const start = (): Worker => {
    const created = new Worker(siblingModuleUrl(import.meta.url, "senderRecoveryWorker"));
    created.on("message", (response: RecoveryResponse) => {
      const request = pending.get(response.id);
      if (request === undefined) return;
      pending.delete(response.id);
      if (pending.size === 0) created.unref();
      response.keys.forEach((key, i) => {
        const item = request.items[i];
        if (key !== undefined && item !== undefined) memo.remember(item, key);
      });
      request.done();
    });
    // A dead worker only costs speed: every waiting chunk is released to recover inline.
    const release = () => {
      worker = undefined;
      for (const request of pending.values()) request.done();
      pending.clear();
    };
    created.on("error", release);
    created.on("exit", release);
    return created;
  };

  return {
    prefetch(txs) {
      const chunks: (Promise<void> | undefined)[] = [];
      for (let first = 0; first < txs.length; first += CHUNK) {
        const items: RecoveryItem[] = [];
        for (const tx of txs.slice(first, first + CHUNK)) {
          if (tx.cache.senderPubKey !== undefined || tx.v === undefined) continue;
          if (tx.r === undefined || tx.s === undefined) continue;
          items.push({
            msgHash: tx.getMessageToVerifySignature(),
            v: tx.v,
            r: bigIntToUnpaddedBytes(tx.r),
            s: bigIntToUnpaddedBytes(tx.s),
            chainId: tx.supports(Capability.EIP155ReplayProtection)
              ? tx.common.chainId()
              : undefined,
          });
        }
        if (items.length === 0) {
          chunks.push(undefined);
          continue;
        }
        worker ??= start();
        // Referenced only while it owes answers: an idle worker must not keep the process
        // alive, a busy one must (the answers are awaited).
        worker.ref();
        const id = nextId++;
        chunks.push(
          new Promise<void>((done) => {
            pending.set(id, { items, done });
          }),
        );
        const request: RecoveryRequest = { id, items };
        worker.postMessage(request);
      }
      return { ready: (index) => chunks[Math.floor(index / CHUNK)] };
    },
  };
}
