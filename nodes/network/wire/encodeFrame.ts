import { FRAME_HEADER_BYTES, type FrameType } from "./frameTypes.ts";

/**
 * One frame: `u32 body length ‖ u8 type ‖ payload`, where the body is the type byte and the
 * payload. Length-prefixed frames let one long-lived stream carry many messages.
 *
 * @example
 * ```ts
 * stream.send(encodeFrame(FrameType.consensus, message));
 * ```
 */
export function encodeFrame(type: FrameType, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length + 1);
  frame[4] = type;
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}
