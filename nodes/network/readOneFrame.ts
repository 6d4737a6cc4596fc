import type { Stream } from "@libp2p/interface";
import { readFrames } from "./readFrames.ts";

/**
 * The payload of the first frame of type `type` on a request/response stream. Rejects with
 * the decoder's `P2P_MESSAGE_INVALID` on bad bytes (the stream is then aborted), with the
 * signal's reason when it aborts, and with a plain Error when the stream ends first. Frames
 * after the first are ignored.
 *
 * @example
 * ```ts
 * const payload = await readOneFrame(stream, maxMessageBytes, FrameType.syncResponse, signal);
 * ```
 */
export function readOneFrame(
  stream: Stream,
  maxPayloadBytes: number,
  type: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      stream.removeEventListener("close", onEnd);
      stream.removeEventListener("remoteCloseWrite", onRemoteEnd);
      action();
    };
    const onAbort = () => settle(() => reject(signal.reason));
    const onEnd = () => settle(() => reject(new Error("the stream ended before a frame")));
    // Data the remote wrote before closing may still be on its way to the listener.
    const onRemoteEnd = () => setTimeout(onEnd, 0);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort);
    stream.addEventListener("close", onEnd);
    stream.addEventListener("remoteCloseWrite", onRemoteEnd);
    readFrames(stream, maxPayloadBytes, new Set([type]), {
      frame: ({ payload }) => settle(() => resolve(payload)),
      fault: (error) => settle(() => reject(error)),
      internal: (error) => settle(() => reject(error)),
    });
  });
}
