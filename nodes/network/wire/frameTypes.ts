/**
 * The one-byte type that opens every frame's body. Each protocol accepts only its own types,
 * so bytes meant for one stream are refused on another.
 *
 * @example
 * ```ts
 * encodeFrame(FrameType.head, encodeHead(head));
 * ```
 */
export const FrameType = {
  status: 1,
  head: 2,
  consensus: 3,
  transactions: 4,
  syncRequest: 5,
  syncResponse: 6,
} as const;

/** A frame type's byte. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bytes before a frame's payload: a 4-byte big-endian body length, then the type byte. */
export const FRAME_HEADER_BYTES = 5;
