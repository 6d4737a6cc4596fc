import { FRAME_HEADER_BYTES } from "./frameTypes.ts";
import { wireError } from "./wireError.ts";

/** One decoded frame. */
export interface Frame {
  readonly type: number;
  readonly payload: Uint8Array;
}

/**
 * Splits a byte stream into frames (see `encodeFrame`), strictly: a declared length above the
 * limit is refused as soon as its 4 bytes arrive (nothing is buffered for it), as are empty
 * bodies and types the stream does not carry. After one fault the decoder refuses everything,
 * since the framing is lost; the caller drops the stream.
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder(maxMessageBytes, new Set([FrameType.consensus]));
 * stream.addEventListener("message", (event) => {
 *   for (const frame of decoder.push(event.data.subarray())) deliver(frame.payload);
 * });
 * ```
 */
export class FrameDecoder {
  readonly #maxPayloadBytes: number;
  readonly #accepted: ReadonlySet<number>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #failed = false;

  /**
   * @param maxPayloadBytes largest payload (after the type byte) accepted.
   * @param accepted frame types this stream carries.
   */
  constructor(maxPayloadBytes: number, accepted: ReadonlySet<number>) {
    this.#maxPayloadBytes = maxPayloadBytes;
    this.#accepted = accepted;
  }

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Adds received bytes and returns the frames they complete, in order.
   *
   * @throws CustosError `P2P_MESSAGE_INVALID` (fault `oversized`, `empty` or
   *   `unexpected-type`), and again on every later call.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failed) throw wireError("bad-field", { reason: "stream already failed" });
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Frame[] = [];
    try {
      for (let frame = this.#next(); frame !== undefined; frame = this.#next()) frames.push(frame);
    } catch (error) {
      this.#failed = true;
      this.#chunks = [];
      this.#buffered = 0;
      throw error;
    }
    return frames;
  }

  #next(): Frame | undefined {
    if (this.#buffered < FRAME_HEADER_BYTES - 1) return undefined;
    const header = this.#peek(FRAME_HEADER_BYTES - 1);
    const bodyLength = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
    if (bodyLength === 0) throw wireError("empty");
    if (bodyLength - 1 > this.#maxPayloadBytes) {
      throw wireError("oversized", { length: bodyLength - 1, max: this.#maxPayloadBytes });
    }
    if (this.#buffered < FRAME_HEADER_BYTES - 1 + bodyLength) return undefined;
    const frame = this.#take(FRAME_HEADER_BYTES - 1 + bodyLength);
    const type = frame[4] as number;
    if (!this.#accepted.has(type)) throw wireError("unexpected-type", { type });
    // A copy into a plain Uint8Array: the transport may hand over Buffers (whose slice() is a
    // view) and reuse them, and payloads outlive them.
    return { type, payload: new Uint8Array(frame.subarray(FRAME_HEADER_BYTES)) };
  }

  /** The first `length` buffered bytes, without consuming them. */
  #peek(length: number): Uint8Array {
    const first = this.#chunks[0] as Uint8Array;
    return first.length >= length ? first.subarray(0, length) : this.#gather(length);
  }

  /** Removes and returns the first `length` buffered bytes. */
  #take(length: number): Uint8Array {
    const first = this.#chunks[0] as Uint8Array;
    const taken = first.length >= length ? first.subarray(0, length) : this.#gather(length);
    let left = length;
    while (left > 0) {
      const chunk = this.#chunks[0] as Uint8Array;
      if (chunk.length <= left) {
        this.#chunks.shift();
        left -= chunk.length;
      } else {
        this.#chunks[0] = chunk.subarray(left);
        left = 0;
      }
    }
    this.#buffered -= length;
    return taken;
  }

  /** Copies the first `length` buffered bytes, which span several chunks, into one array. */
  #gather(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const part = Math.min(chunk.length, length - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (filled === length) break;
    }
    return out;
  }
}
