import { ByteReader } from "./ByteReader.ts";
import { ByteWriter } from "./ByteWriter.ts";
import { wireError } from "./wireError.ts";

/** A chain head as peers announce it. */
export interface ChainHead {
  /** Block number, below 2^64. */
  readonly number: bigint;
  /** 32-byte block hash. */
  readonly hash: Uint8Array;
}

/** Encoded size of a head: u64 number ‖ 32-byte hash. */
export const HEAD_BYTES = 40;

/**
 * Encodes a head announcement: `u64 number ‖ hash (32 bytes)`.
 *
 * @example
 * ```ts
 * encodeFrame(FrameType.head, encodeHead({ number: 7n, hash }));
 * ```
 */
export function encodeHead(head: ChainHead): Uint8Array {
  const writer = new ByteWriter(HEAD_BYTES);
  writeHead(writer, head);
  return writer.done();
}

/**
 * Decodes {@link encodeHead}'s bytes, exactly 40 of them.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` on any other length.
 * @example
 * ```ts
 * const head = decodeHead(frame.payload);
 * ```
 */
export function decodeHead(payload: Uint8Array): ChainHead {
  const reader = new ByteReader(payload);
  const head = readHead(reader);
  reader.end();
  return head;
}

/**
 * Writes a head's 40 bytes into a larger message.
 *
 * @example
 * ```ts
 * writeHead(writer, status.head);
 * ```
 */
export function writeHead(writer: ByteWriter, head: ChainHead): void {
  if (head.hash.length !== 32) throw new RangeError("a head hash has 32 bytes");
  writer.u64(head.number);
  writer.bytes(head.hash);
}

/**
 * Reads a head's 40 bytes from a larger message.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` when fewer bytes remain.
 * @example
 * ```ts
 * const head = readHead(reader);
 * ```
 */
export function readHead(reader: ByteReader): ChainHead {
  if (reader.remaining < HEAD_BYTES) throw wireError("truncated", { field: "head" });
  return { number: reader.u64(), hash: reader.bytes(32) };
}
