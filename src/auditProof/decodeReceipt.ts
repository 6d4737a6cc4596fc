import type { FailLink } from "./proofInvalid.ts";
import { decodeRlp, type RlpItem } from "./rlp.ts";

/** A log as a receipt holds it. */
export interface ReceiptLog {
  readonly address: Uint8Array;
  readonly topics: readonly Uint8Array[];
  readonly data: Uint8Array;
}

function bytesOf(item: RlpItem | undefined, what: string, fail: FailLink): Uint8Array {
  if (!(item instanceof Uint8Array)) return fail(`${what} is not a byte string`);
  return item;
}

function logOf(item: RlpItem, index: number, fail: FailLink): ReceiptLog {
  if (item instanceof Uint8Array || item.length !== 3) {
    return fail(`log ${index} is not [address, topics, data]`);
  }
  const [address, topics, data] = item as [RlpItem, RlpItem, RlpItem];
  const addressBytes = bytesOf(address, `log ${index}'s address`, fail);
  if (addressBytes.length !== 20) fail(`log ${index}'s address is not 20 bytes`);
  if (topics instanceof Uint8Array || topics.length > 4) {
    return fail(`log ${index}'s topics are not a list of at most 4`);
  }
  return {
    address: addressBytes,
    topics: topics.map((topic, t) => {
      const bytes = bytesOf(topic, `log ${index}'s topic ${t}`, fail);
      if (bytes.length !== 32) fail(`log ${index}'s topic ${t} is not 32 bytes`);
      return bytes;
    }),
    data: bytesOf(data, `log ${index}'s data`, fail),
  };
}

/**
 * The logs of a receipt in its consensus encoding (EIP-2718: a type byte 0x01–0x7f then the
 * RLP list, or the bare list of a legacy receipt): `[status, cumulativeGasUsed, bloom,
 * logs]`, each log `[address, topics, data]`.
 *
 * @example
 * ```ts
 * const logs = decodeReceiptLogs(receiptBytes, failAt("receipt", place));
 * ```
 */
export function decodeReceiptLogs(bytes: Uint8Array, fail: FailLink): ReceiptLog[] {
  const first = bytes[0];
  if (first === undefined) return fail("the receipt is empty");
  const typed = first <= 0x7f;
  if (typed && first === 0) return fail("the receipt has type byte 0x00");
  const decoded = decodeRlp(typed ? bytes.subarray(1) : bytes);
  if (typeof decoded === "string") return fail(`the receipt is not RLP: ${decoded}`);
  if (decoded instanceof Uint8Array || decoded.length !== 4) {
    return fail("the receipt is not [status, cumulativeGasUsed, bloom, logs]");
  }
  const bloom = bytesOf(decoded[2], "the bloom", fail);
  if (bloom.length !== 256) fail("the bloom is not 256 bytes");
  const logs = decoded[3] as RlpItem;
  if (logs instanceof Uint8Array) return fail("the receipt's logs are not a list");
  return logs.map((log, index) => logOf(log, index, fail));
}
