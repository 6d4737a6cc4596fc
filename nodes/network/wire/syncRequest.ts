import { ByteReader } from "./ByteReader.ts";
import { ByteWriter } from "./ByteWriter.ts";
import { wireError } from "./wireError.ts";

/** What a sync request asks for: whole blocks, or headers only. */
export type SyncKind = "blocks" | "headers";

/** A request on `/custos/sync/1`: `count` consecutive items from block `fromNumber`. */
export interface SyncRequest {
  readonly kind: SyncKind;
  readonly fromNumber: bigint;
  /** At least 1; the server caps it at its own limit. */
  readonly count: number;
}

/** Encoded size of a request: u8 kind ‖ u64 from ‖ u32 count. */
export const SYNC_REQUEST_BYTES = 13;

const KIND_CODES: Readonly<Record<SyncKind, number>> = { blocks: 0, headers: 1 };

/**
 * Encodes a sync request: `u8 kind (0 blocks, 1 headers) ‖ u64 fromNumber ‖ u32 count`.
 *
 * @example
 * ```ts
 * encodeFrame(FrameType.syncRequest, encodeSyncRequest({ kind: "blocks", fromNumber: 1n, count: 64 }));
 * ```
 */
export function encodeSyncRequest(request: SyncRequest): Uint8Array {
  const writer = new ByteWriter(SYNC_REQUEST_BYTES);
  writer.u8(KIND_CODES[request.kind]);
  writer.u64(request.fromNumber);
  writer.u32(request.count);
  return writer.done();
}

/**
 * Decodes {@link encodeSyncRequest}'s 13 bytes.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` on another length, an unknown kind or a zero count.
 * @example
 * ```ts
 * const { kind, fromNumber, count } = decodeSyncRequest(frame.payload);
 * ```
 */
export function decodeSyncRequest(payload: Uint8Array): SyncRequest {
  const reader = new ByteReader(payload);
  const code = reader.u8();
  const fromNumber = reader.u64();
  const count = reader.u32();
  reader.end();
  const kind = code === 0 ? "blocks" : code === 1 ? "headers" : undefined;
  if (kind === undefined) throw wireError("bad-field", { field: "kind", code });
  if (count === 0) throw wireError("bad-field", { field: "count", count });
  return { kind, fromNumber, count };
}
