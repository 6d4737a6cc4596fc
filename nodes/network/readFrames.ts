import type { Stream } from "@libp2p/interface";
import type { CustosError } from "../../src/errors/index.ts";
import { type Frame, FrameDecoder } from "./wire/FrameDecoder.ts";
import { FRAME_HEADER_BYTES } from "./wire/frameTypes.ts";
import { wireFaultOf } from "./wire/wireError.ts";

/** What {@link readFrames} does with what arrives. */
export interface FrameHandlers {
  /** One decoded frame; a wire error thrown here (a bad payload) counts as a fault. */
  frame(frame: Frame): void;
  /** The peer sent bytes that do not decode; the stream has been aborted. */
  fault(error: CustosError): void;
  /** `frame` threw something else: our bug, not the peer's; logged, the stream kept. */
  internal(error: unknown): void;
}

/**
 * Reads length-prefixed frames from a stream as they arrive (event-driven, no buffering
 * beyond one partial frame), refusing oversized or unexpected frames at once. On a fault the
 * stream is aborted, since its framing is lost. Nothing escapes the listener: an exception
 * thrown from an event listener would crash the process.
 *
 * @example
 * ```ts
 * readFrames(stream, maxMessageBytes, new Set([FrameType.consensus]), {
 *   frame: ({ payload }) => deliver(payload),
 *   fault: (error) => penalise(peerId, error),
 *   internal: (error) => log.error({ err: error }, "frame handler failed"),
 * });
 * ```
 */
export function readFrames(
  stream: Stream,
  maxPayloadBytes: number,
  accepted: ReadonlySet<number>,
  handlers: FrameHandlers,
): void {
  const decoder = new FrameDecoder(maxPayloadBytes, accepted);
  allowWholeFrames(stream, maxPayloadBytes);
  stream.addEventListener("message", (event) => {
    if (stream.status !== "open") return;
    const chunk = event.data instanceof Uint8Array ? event.data : event.data.subarray();
    try {
      for (const frame of decoder.push(chunk)) handlers.frame(frame);
    } catch (error) {
      if (wireFaultOf(error) === undefined) {
        handlers.internal(error);
        return;
      }
      stream.abort(error as CustosError);
      handlers.fault(error as CustosError);
    }
  });
}

/**
 * Lets a stream buffer one whole frame while nobody reads it (before a listener is attached,
 * or while paused): libp2p resets a stream whose unread bytes pass `maxReadBufferLength`,
 * 4 MiB by default, less than a large consensus message.
 *
 * @example
 * ```ts
 * allowWholeFrames(stream, options.limits.maxMessageBytes);
 * ```
 */
export function allowWholeFrames(stream: Stream, maxPayloadBytes: number): void {
  stream.maxReadBufferLength = Math.max(
    stream.maxReadBufferLength,
    maxPayloadBytes + FRAME_HEADER_BYTES,
  );
}
