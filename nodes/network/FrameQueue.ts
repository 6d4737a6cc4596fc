/**
 * A FIFO of encoded frames bounded in count and in bytes: pushing past either bound drops the
 * oldest frames (a slow or stuck peer costs a bounded amount of memory, and the newest
 * consensus messages, which matter most, survive).
 *
 * @example
 * ```ts
 * const queue = new FrameQueue(1024, 64 * 1024 * 1024);
 * const dropped = queue.push(frame); // frames dropped to make room
 * const next = queue.shift();
 * ```
 */
export class FrameQueue {
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  #frames: Uint8Array[] = [];
  #head = 0;
  #bytes = 0;

  constructor(maxFrames: number, maxBytes: number) {
    this.#maxFrames = maxFrames;
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#frames.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Appends a frame and returns how many old frames were dropped to keep within bounds. */
  push(frame: Uint8Array): number {
    this.#frames.push(frame);
    this.#bytes += frame.length;
    let dropped = 0;
    while (this.length > this.#maxFrames || (this.#bytes > this.#maxBytes && this.length > 1)) {
      this.shift();
      dropped++;
    }
    return dropped;
  }

  /** Removes and returns the oldest frame. */
  shift(): Uint8Array | undefined {
    if (this.length === 0) return undefined;
    const frame = this.#frames[this.#head] as Uint8Array;
    this.#head++;
    this.#bytes -= frame.length;
    // Compact once the consumed prefix dominates, so shifting stays O(1) amortised.
    if (this.#head > 64 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    return frame;
  }

  /** Drops every frame and returns how many there were. */
  clear(): number {
    const count = this.length;
    this.#frames = [];
    this.#head = 0;
    this.#bytes = 0;
    return count;
  }
}
