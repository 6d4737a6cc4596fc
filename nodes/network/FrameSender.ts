import type { Stream } from "@libp2p/interface";
import { FrameQueue } from "./FrameQueue.ts";

/** What a {@link FrameSender} needs. */
export interface FrameSenderOptions {
  /** Opens a new outbound stream of the sender's protocol to the peer. */
  readonly open: () => Promise<Stream>;
  readonly maxFrames: number;
  readonly maxBytes: number;
  /** Told of frames dropped: `overflow` (queue bound) or `stream-failed` (could not send). */
  readonly dropped: (count: number, why: "overflow" | "stream-failed") => void;
}

/**
 * Writes frames to one long-lived outbound stream to a peer, in order, honouring the
 * stream's back-pressure (`send` → false: wait for drain) with a bounded queue in front.
 * The stream is opened on the first frame and again after it fails; a failure drops what was
 * queued (consensus re-sends what matters) rather than retrying in a loop.
 *
 * @example
 * ```ts
 * const sender = new FrameSender({ open: () => connection.newStream(protocol), maxFrames: 1024,
 *   maxBytes: 64 << 20, dropped: (n, why) => metrics.increment("dropped", { why }, n) });
 * sender.enqueue(encodeFrame(FrameType.consensus, message));
 * ```
 */
export class FrameSender {
  readonly #options: FrameSenderOptions;
  readonly #queue: FrameQueue;
  #stream: Stream | undefined;
  #pumping = false;
  #closed = false;

  constructor(options: FrameSenderOptions) {
    this.#options = options;
    this.#queue = new FrameQueue(options.maxFrames, options.maxBytes);
  }

  /** Frames waiting to be written. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a frame (dropping the oldest beyond the bounds) and starts writing. */
  enqueue(frame: Uint8Array): void {
    if (this.#closed) return;
    const dropped = this.#queue.push(frame);
    if (dropped > 0) this.#options.dropped(dropped, "overflow");
    void this.#pump();
  }

  /** Drops the queue and closes the stream without waiting for the peer. */
  close(): void {
    this.#closed = true;
    this.#queue.clear();
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream !== undefined && stream.status === "open") {
      stream.close().catch(() => stream.abort(new Error("sender closed")));
    }
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const stream = this.#stream ?? (await this.#open());
        if (stream === undefined) return;
        if (stream.writableNeedsDrain) {
          if (stream.status !== "open") this.#forget(stream);
          else await drained(stream);
          continue;
        }
        const frame = this.#queue.shift() as Uint8Array;
        try {
          stream.send(frame);
        } catch {
          this.#forget(stream);
          this.#options.dropped(1, "stream-failed");
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #open(): Promise<Stream | undefined> {
    try {
      const stream = await this.#options.open();
      if (this.#closed) {
        stream.abort(new Error("sender closed"));
        return undefined;
      }
      stream.addEventListener("close", () => this.#forget(stream));
      this.#stream = stream;
      return stream;
    } catch {
      const dropped = this.#queue.clear();
      if (dropped > 0) this.#options.dropped(dropped, "stream-failed");
      return undefined;
    }
  }

  #forget(stream: Stream): void {
    if (this.#stream === stream) this.#stream = undefined;
  }
}

/**
 * Resolves at the stream's next `drain` or `close` event. Not `stream.onDrain()`: libp2p's
 * utils (7.4) keep ONE promise per stream, resolved at the first drain and never renewed, so
 * from the second back-pressure on it resolves at once while the stream still needs a drain,
 * and the pump spun in microtasks with the event loop starved (validators froze under
 * full-block load).
 */
function drained(stream: Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.removeEventListener("drain", done);
      stream.removeEventListener("close", done);
      resolve();
    };
    stream.addEventListener("drain", done);
    stream.addEventListener("close", done);
  });
}
