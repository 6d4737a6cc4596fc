import { ByteReader } from "./ByteReader.ts";
import { ByteWriter } from "./ByteWriter.ts";
import { type ChainHead, HEAD_BYTES, readHead, writeHead } from "./headMessage.ts";

/** What a node tells each peer when they connect (`/custos/status/1`). */
export interface StatusMessage {
  /** The Custos p2p protocol version; peers must run the same one. */
  readonly protocolVersion: number;
  /** EIP-155 chain id. */
  readonly chainId: bigint;
  /** 32-byte hash of block 0. */
  readonly genesisHash: Uint8Array;
  /** The sender's head. */
  readonly head: ChainHead;
  /**
   * The TCP port the sender listens on (0: none), so a peer that only saw an inbound
   * connection from it can dial it back after a restart.
   */
  readonly listenPort: number;
}

/** Encoded size of a status: u32 version ‖ u64 chain id ‖ genesis ‖ head ‖ u16 port. */
export const STATUS_BYTES = 4 + 8 + 32 + HEAD_BYTES + 2;

/**
 * Encodes a status: `u32 protocolVersion ‖ u64 chainId ‖ genesisHash (32) ‖ u64 head number ‖
 * head hash (32) ‖ u16 listenPort`, big-endian, 86 bytes.
 *
 * @example
 * ```ts
 * encodeFrame(FrameType.status, encodeStatus(ourStatus));
 * ```
 */
export function encodeStatus(status: StatusMessage): Uint8Array {
  if (status.genesisHash.length !== 32) throw new RangeError("a genesis hash has 32 bytes");
  const writer = new ByteWriter(STATUS_BYTES);
  writer.u32(status.protocolVersion);
  writer.u64(status.chainId);
  writer.bytes(status.genesisHash);
  writeHead(writer, status.head);
  writer.u16(status.listenPort);
  return writer.done();
}

/**
 * Decodes {@link encodeStatus}'s 86 bytes; nothing more, nothing less.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` (fault `truncated` or `trailing-bytes`).
 * @example
 * ```ts
 * const theirs = decodeStatus(frame.payload);
 * ```
 */
export function decodeStatus(payload: Uint8Array): StatusMessage {
  const reader = new ByteReader(payload);
  const protocolVersion = reader.u32();
  const chainId = reader.u64();
  const genesisHash = reader.bytes(32);
  const head = readHead(reader);
  const listenPort = reader.u16();
  reader.end();
  return { protocolVersion, chainId, genesisHash, head, listenPort };
}
