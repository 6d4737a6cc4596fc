import { CustosError } from "../../src/errors/index.ts";
import { MinHeap } from "./MinHeap.ts";
import type { PoolContents } from "./PoolContents.ts";
import type { PoolEntry } from "./PoolEntry.ts";
import { effectiveTip } from "./txFees.ts";

/** A sender's entries not yet chosen, from its highest nonce down. */
interface Tail {
  readonly entries: readonly PoolEntry[];
  index: number;
  price: bigint;
}

/**
 * Picks the cheapest transactions (effective tip at `baseFee`, then the latest admitted) to
 * evict so that a newcomer paying `incomingPrice` fits: at least `needCount` transactions
 * and `needBytes` bytes. Only ever takes a sender's highest nonce, so no sender keeps a nonce
 * above an evicted one, and never the newcomer's own sender (`incomingKey`). Chooses without
 * mutating: a refusal leaves the pool untouched.
 *
 * @throws CustosError `TXPOOL_UNDERPRICED` when the cheapest candidate pays at least as much
 *   as the newcomer; `TXPOOL_FULL` when the candidates run out.
 * @example
 * ```ts
 * const victims = chooseVictims(contents, baseFee, key, effectiveTip(fees, baseFee), 1, 0);
 * ```
 */
export function chooseVictims(
  contents: PoolContents,
  baseFee: bigint,
  incomingKey: string,
  incomingPrice: bigint,
  needCount: number,
  needBytes: number,
): PoolEntry[] {
  const heap = new MinHeap<Tail>((a, b) => {
    if (a.price !== b.price) return a.price < b.price;
    return (a.entries[a.index] as PoolEntry).seq > (b.entries[b.index] as PoolEntry).seq;
  });
  for (const queue of contents.queues()) {
    if (queue.key === incomingKey) continue;
    const entries = queue.sorted();
    const last = entries[entries.length - 1];
    if (last !== undefined) {
      heap.push({ entries, index: entries.length - 1, price: effectiveTip(last.fees, baseFee) });
    }
  }
  const victims: PoolEntry[] = [];
  let count = needCount;
  let bytes = needBytes;
  while (count > 0 || bytes > 0) {
    const tail = heap.pop();
    if (tail === undefined || tail.price >= incomingPrice) {
      if (victims.length === 0 && tail !== undefined) {
        throw new CustosError(
          "TXPOOL_UNDERPRICED",
          `transaction underpriced: pool is full and its cheapest transaction pays tip ${tail.price}`,
          { details: { tip: String(incomingPrice), cheapest: String(tail.price) } },
        );
      }
      throw new CustosError("TXPOOL_FULL", "txpool is full", {
        details: { count: contents.size, bytes: contents.totalBytes, limit: "size" },
      });
    }
    const victim = tail.entries[tail.index] as PoolEntry;
    victims.push(victim);
    count--;
    bytes -= victim.size;
    tail.index--;
    const next = tail.entries[tail.index];
    if (next !== undefined) {
      tail.price = effectiveTip(next.fees, baseFee);
      heap.push(tail);
    }
  }
  return victims;
}
