/**
 * A binary min-heap ordered by a caller-supplied `before(a, b)` ("a comes out first").
 * Block selection and full-pool eviction each pop a few entries from many candidates, so a
 * heap beats sorting the whole pool.
 *
 * @example
 * ```ts
 * const heap = new MinHeap<number>((a, b) => a < b);
 * heap.push(3); heap.push(1);
 * heap.pop(); // 1
 * ```
 */
export class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  /** Number of items in the heap. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const childItem = items[child] as T;
      const parentItem = items[parent] as T;
      if (!this.#before(childItem, parentItem)) break;
      items[child] = parentItem;
      items[parent] = childItem;
      child = parent;
    }
  }

  /** Removes and returns the first item, or `undefined` when empty. */
  pop(): T | undefined {
    const items = this.#items;
    const first = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return first;
    items[0] = last;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let best = parent;
      if (left < items.length && this.#before(items[left] as T, items[best] as T)) best = left;
      if (right < items.length && this.#before(items[right] as T, items[best] as T)) best = right;
      if (best === parent) break;
      const tmp = items[parent] as T;
      items[parent] = items[best] as T;
      items[best] = tmp;
      parent = best;
    }
    return first;
  }

  /** The first item without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }
}
