import type { TypedTransaction } from "@ethereumjs/tx";
import { MinHeap } from "./MinHeap.ts";
import type { PoolEntry } from "./PoolEntry.ts";
import { effectiveTip } from "./txFees.ts";

/** Limits and prices for choosing the next block's transactions. */
export interface SelectOptions {
  /** Base fee of the block being built, in wei per gas. */
  readonly baseFee: bigint;
  /** Gas available in the block. */
  readonly gasLimit: bigint;
  /** Most transactions to return. */
  readonly maxTxs: number;
}

// Gas of the cheapest possible transaction; with less left, no further one can fit.
const MIN_TX_GAS = 21_000n;

interface Cursor {
  readonly entries: readonly PoolEntry[];
  index: number;
  tip: bigint;
}

/**
 * Chooses a block's transactions from each sender's pending run: repeatedly takes the sender
 * whose next transaction pays the highest effective tip (earlier admission wins ties), so each
 * sender's transactions stay in nonce order. A sender whose next transaction does not fit the
 * remaining gas, or whose fee cap is below the base fee, contributes nothing further — its
 * later nonces could not execute without it.
 *
 * @param runs each sender's pending entries in ascending nonce order.
 * @example
 * ```ts
 * const txs = selectTransactions(runs, { baseFee: 7n, gasLimit: 30_000_000n, maxTxs: 5000 });
 * ```
 */
export function selectTransactions(
  runs: Iterable<readonly PoolEntry[]>,
  options: SelectOptions,
): TypedTransaction[] {
  const heap = new MinHeap<Cursor>((a, b) => {
    if (a.tip !== b.tip) return a.tip > b.tip;
    return (a.entries[a.index] as PoolEntry).seq < (b.entries[b.index] as PoolEntry).seq;
  });
  const admit = (cursor: Cursor): void => {
    const entry = cursor.entries[cursor.index];
    if (entry === undefined) return;
    cursor.tip = effectiveTip(entry.fees, options.baseFee);
    if (cursor.tip >= 0n) heap.push(cursor);
  };
  for (const entries of runs) admit({ entries, index: 0, tip: 0n });
  const selected: TypedTransaction[] = [];
  let gasLeft = options.gasLimit;
  while (selected.length < options.maxTxs && gasLeft >= MIN_TX_GAS) {
    const cursor = heap.pop();
    if (cursor === undefined) break;
    const entry = cursor.entries[cursor.index] as PoolEntry;
    if (entry.gasLimit > gasLeft) continue;
    selected.push(entry.tx);
    gasLeft -= entry.gasLimit;
    cursor.index++;
    admit(cursor);
  }
  return selected;
}
