/** Options of a {@link CheckpointWriter}. */
export interface CheckpointWriterOptions {
  /** Writes the checkpoint's text, all or nothing (e.g. to a temporary file, then renamed). */
  readonly write: (text: string) => Promise<void>;
  /** The checkpoint's current text; called when a write starts, not on every change. */
  readonly text: () => string;
  /** Milliseconds, monotonic. */
  readonly clock: () => number;
  /** Least time between the starts of two writes, in milliseconds. */
  readonly minIntervalMs: number;
}

/**
 * How much longer than making a checkpoint's text took the writer waits before the next one:
 * the text is made on the import's own thread (JSON of every range), so a checkpoint with
 * many ranges then takes at most a tenth of it. The write itself is I/O, off the thread.
 */
const DURATION_FACTOR = 10;

/**
 * Writes an import's checkpoint as it changes, at a bounded rate: at most one write at a time,
 * the text made when the write starts (so changes in between are coalesced, the latest wins),
 * and the next write no sooner than `minIntervalMs` — or ten times as long as making the last
 * text took, if longer — after the previous one started. A clean 10 M-row checkpoint is one
 * range and cheap; one with a million ranges (a million refused rows, 17 MB) takes about half
 * a second to make, and is then written every five seconds instead of after every chunk.
 * `flush` writes the latest state; rows landed after the last write are at worst re-sent by a
 * resumed run (and refused as already active).
 *
 * @example
 * ```ts
 * const checkpoint = new CheckpointWriter({ write, text: () => landed.toCheckpoint(), clock, minIntervalMs: 1000 });
 * checkpoint.changed(); // after each landed chunk
 * await checkpoint.flush(); // at the end
 * ```
 */
export class CheckpointWriter {
  readonly #options: CheckpointWriterOptions;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #nextAt = Number.NEGATIVE_INFINITY;
  #failure: { readonly error: unknown } | undefined;

  constructor(options: CheckpointWriterOptions) {
    this.#options = options;
  }

  /** Notes that the checkpoint changed; writes it now if no write runs and the interval has passed. */
  changed(): void {
    // After a failed write the checkpoint is left as it was; `flush` reports the failure.
    if (this.#failure !== undefined) return;
    this.#dirty = true;
    if (this.#writing === undefined && this.#options.clock() >= this.#nextAt) this.#start();
  }

  /**
   * Resolves once the latest state is written.
   *
   * @throws whatever the first failed write threw.
   */
  async flush(): Promise<void> {
    while (this.#writing !== undefined || (this.#dirty && this.#failure === undefined)) {
      if (this.#writing === undefined) this.#start();
      await this.#writing;
    }
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  #start(): void {
    this.#dirty = false;
    const started = this.#options.clock();
    this.#writing = (async () => {
      try {
        const text = this.#options.text();
        const took = this.#options.clock() - started;
        this.#nextAt = started + Math.max(this.#options.minIntervalMs, DURATION_FACTOR * took);
        await this.#options.write(text);
      } catch (error) {
        this.#failure ??= { error };
      }
      this.#writing = undefined;
    })();
  }
}
