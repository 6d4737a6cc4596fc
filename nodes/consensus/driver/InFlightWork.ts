/**
 * The driver's asynchronous work (builds, validations, commits, syncs): each runs with the
 * driver's abort signal, and its outcome is handed on only while the driver runs, so that a
 * stopped driver enqueues nothing; `abortAll` aborts them and waits until every one has
 * settled, so `stop()` leaves no promise of the driver pending.
 *
 * @example
 * ```ts
 * work.run((signal) => chain.validateBlock(block, signal), (valid) => enqueue(valid), log);
 * await work.abortAll();
 * ```
 */
export class InFlightWork {
  readonly #controller = new AbortController();
  readonly #running = new Set<Promise<void>>();

  /** Work started and not yet settled. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Starts `work`; calls `done` with its result or `failed` with its error, unless the
   * driver stopped meanwhile. Neither callback may throw.
   */
  run<T>(
    work: (signal: AbortSignal) => Promise<T>,
    done: (value: T) => void,
    failed: (error: unknown) => void,
  ): void {
    const signal = this.#controller.signal;
    if (signal.aborted) return;
    const settled: Promise<void> = (async () => {
      try {
        const value = await work(signal);
        if (!signal.aborted) done(value);
      } catch (error) {
        if (!signal.aborted) failed(error);
      }
    })().then(() => {
      this.#running.delete(settled);
    });
    this.#running.add(settled);
  }

  /** Aborts every piece of work and resolves once all have settled; `run` then starts nothing. */
  async abortAll(): Promise<void> {
    this.#controller.abort();
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
