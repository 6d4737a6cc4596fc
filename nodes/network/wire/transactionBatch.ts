import { ByteReader } from "./ByteReader.ts";
import { encodeByteList, readByteList } from "./byteList.ts";

/**
 * Encodes raw signed transactions for `/custos/tx/1`: a list of at least one non-empty item.
 *
 * @example
 * ```ts
 * encodeFrame(FrameType.transactions, encodeTransactionBatch(rawTxs));
 * ```
 */
export function encodeTransactionBatch(rawTxs: readonly Uint8Array[]): Uint8Array {
  return encodeByteList(rawTxs);
}

/**
 * Decodes {@link encodeTransactionBatch}'s bytes. The transactions stay opaque here; the pool
 * decodes and checks them.
 *
 * @throws CustosError `P2P_MESSAGE_INVALID` when the list is empty or malformed.
 * @example
 * ```ts
 * const rawTxs = decodeTransactionBatch(frame.payload);
 * ```
 */
export function decodeTransactionBatch(payload: Uint8Array): Uint8Array[] {
  return readByteList(new ByteReader(payload), 1);
}
