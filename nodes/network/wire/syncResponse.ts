import { ByteReader } from "./ByteReader.ts";
import { encodeByteList, readByteList } from "./byteList.ts";
import { wireError } from "./wireError.ts";

/**
 * A server's answer on `/custos/sync/1`: `ok` with the items it has, in order from the
 * requested number (possibly fewer than asked, none when it has none), or `failed` with none.
 */
export type SyncResponse =
  | { readonly status: "ok"; readonly items: readonly Uint8Array[] }
  | { readonly status: "failed" };

const OK = 0;
const FAILED = 1;

/**
 * Encodes a response: `u8 status (0 ok, 1 failed) ‖ list of items` (the list of
 * `encodeByteList`, empty when failed).
 *
 * @example
 * ```ts
 * encodeFrame(FrameType.syncResponse, encodeSyncResponse({ status: "ok", items: blocks }));
 * ```
 */
export function encodeSyncResponse(response: SyncResponse): Uint8Array {
  const status = Uint8Array.of(response.status === "ok" ? OK : FAILED);
  return encodeByteList(response.status === "ok" ? response.items : [], status);
}

/**
 * Decodes {@link encodeSyncResponse}'s bytes.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` on an unknown status, a failure that carries items,
 *   or a malformed list.
 * @example
 * ```ts
 * const response = decodeSyncResponse(frame.payload);
 * if (response.status === "ok") blocks.push(...response.items);
 * ```
 */
export function decodeSyncResponse(payload: Uint8Array): SyncResponse {
  const reader = new ByteReader(payload);
  const status = reader.u8();
  if (status !== OK && status !== FAILED) throw wireError("bad-field", { field: "status", status });
  const items = readByteList(reader, 0);
  if (status === FAILED) {
    if (items.length > 0) throw wireError("bad-field", { field: "items", status });
    return { status: "failed" };
  }
  return { status: "ok", items };
}
