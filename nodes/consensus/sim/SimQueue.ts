interface Entry<T> {
  readonly time: number;
  readonly sequence: number;
  readonly item: T;
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}

/**
 * The simulator's event queue: a binary heap ordered by (virtual time, sequence number), so
 * that events due at one instant come out in the order they were scheduled — the tie-break
 * that makes a run deterministic.
 *
 * @example
 * ```ts
 * const queue = new SimQueue<string>();
 * queue.push(5, "later");
 * queue.push(1, "first");
 * queue.pop(); // { time: 1, item: "first" }
 * ```
 */
export class SimQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private sequence = 0;

  /** Events waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at virtual time `time`. */
  push(time: number, item: T): void {
    const heap = this.heap;
    const entry: Entry<T> = { time, sequence: this.sequence++, item };
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as Entry<T>;
      if (!before(entry, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  /** The earliest event, removed; undefined when none is left. */
  pop(): { readonly time: number; readonly item: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as Entry<T>, heap[left] as Entry<T>)
          ? right
          : left;
      const candidate = heap[child] as Entry<T>;
      if (!before(candidate, last)) break;
      heap[index] = candidate;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}
