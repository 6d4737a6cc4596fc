/**
 * A queue shared fairly between clients: each client's items leave in arrival order, and the
 * next item is taken from the waiting client the caller ranks lowest (e.g. the one with the
 * fewest items being served now, then the one served least recently), ties going to the
 * client that has waited longest. So one client flooding the queue delays another client's
 * item by at most the items already being served, instead of by its whole backlog.
 *
 * @example
 * ```ts
 * const queue = new FairQueue<Job>();
 * queue.push("10.0.0.7", job);
 * const next = queue.shift((client) => running.get(client) ?? 0);
 * ```
 */
export class FairQueue<T> {
  readonly #byClient = new Map<string, T[]>();
  /** Clients with waiting items, the longest waiting first. */
  readonly #turns: string[] = [];
  #size = 0;

  /** Items waiting, over all clients. */
  get size(): number {
    return this.#size;
  }

  /** Items `client` has waiting. */
  waiting(client: string): number {
    return this.#byClient.get(client)?.length ?? 0;
  }

  /** Adds `item` at the end of `client`'s line. */
  push(client: string, item: T): void {
    const line = this.#byClient.get(client);
    if (line === undefined) {
      this.#byClient.set(client, [item]);
      this.#turns.push(client);
    } else {
      line.push(item);
    }
    this.#size++;
  }

  /**
   * Takes the oldest item of the waiting client with the lowest `rank` (ties: the client
   * that has waited longest); that client then waits behind the others.
   */
  shift(rank: (client: string) => number): T | undefined {
    let at = -1;
    let best = Number.POSITIVE_INFINITY;
    for (const [index, client] of this.#turns.entries()) {
      const r = rank(client);
      if (r < best) {
        best = r;
        at = index;
      }
    }
    if (at === -1) return undefined;
    const [client] = this.#turns.splice(at, 1) as [string];
    const line = this.#byClient.get(client) as T[];
    const item = line.shift() as T;
    if (line.length === 0) this.#byClient.delete(client);
    else this.#turns.push(client);
    this.#size--;
    return item;
  }

  /** Removes `item` wherever it waits; false if it is not waiting. */
  remove(item: T): boolean {
    for (const [client, line] of this.#byClient) {
      const at = line.indexOf(item);
      if (at === -1) continue;
      line.splice(at, 1);
      if (line.length === 0) {
        this.#byClient.delete(client);
        this.#turns.splice(this.#turns.indexOf(client), 1);
      }
      this.#size--;
      return true;
    }
    return false;
  }

  /** Empties the queue, returning every waiting item. */
  drain(): T[] {
    const items = [...this.#byClient.values()].flat();
    this.#byClient.clear();
    this.#turns.length = 0;
    this.#size = 0;
    return items;
  }
}
