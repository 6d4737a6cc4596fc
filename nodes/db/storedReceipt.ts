import type { Log } from "@ethereumjs/evm";
import {
  bigIntToUnpaddedBytes,
  bytesToBigInt,
  bytesToInt,
  intToUnpaddedBytes,
} from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import {
  decodeRlp,
  decodeRlpItem,
  type RlpItem,
  type RlpSource,
  type RlpValue,
  rlpChildren,
  rlpItemAt,
} from "./decodeRlp.ts";
import { encodeRlp } from "./encodeRlp.ts";

/**
 * A transaction receipt as the node stores and serves it: the consensus fields plus what
 * eth_getTransactionReceipt needs without re-execution.
 */
export interface StoredReceipt {
  /** Transaction type (0 legacy, 1 access list, 2 fee market). */
  readonly txType: number;
  /** Hash of the transaction. */
  readonly txHash: Uint8Array;
  /** Position of the transaction in its block. */
  readonly txIndex: number;
  /** 1 on success, 0 when execution failed (reverted or out of gas). */
  readonly status: 0 | 1;
  /** Gas used by this and all earlier transactions of the block. */
  readonly cumulativeGasUsed: bigint;
  /** Gas used by this transaction. */
  readonly gasUsed: bigint;
  /** Price per gas actually paid (base fee + effective tip). */
  readonly effectiveGasPrice: bigint;
  /** Address of the contract a creation deployed. */
  readonly contractAddress?: Uint8Array;
  /** 256-byte bloom of this receipt's logs. */
  readonly logsBloom: Uint8Array;
  /** Logs as `[address, topics, data]`. */
  readonly logs: readonly Log[];
}

/**
 * Encodes a block's receipts as one RLP list (the value of the receipts keyspace).
 *
 * @example
 * ```ts
 * const bytes = encodeStoredReceipts(receipts);
 * ```
 */
export function encodeStoredReceipts(receipts: readonly StoredReceipt[]): Uint8Array {
  return encodeRlp(
    receipts.map((r) => [
      intToUnpaddedBytes(r.txType),
      r.txHash,
      intToUnpaddedBytes(r.txIndex),
      intToUnpaddedBytes(r.status),
      bigIntToUnpaddedBytes(r.cumulativeGasUsed),
      bigIntToUnpaddedBytes(r.gasUsed),
      bigIntToUnpaddedBytes(r.effectiveGasPrice),
      r.contractAddress ?? new Uint8Array(0),
      r.logsBloom,
      r.logs.map(([address, topics, data]) => [address, topics, data]),
    ]),
  );
}

function bytesField(value: unknown, key: string, field: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new CustosError("CHAIN_DB_CORRUPT", `stored receipt field ${field} is malformed`, {
    details: { keyspace: "receipts", key, field },
  });
}

/** One receipt from its decoded RLP list. */
function receiptFromRlp(item: RlpValue, key: string): StoredReceipt {
  if (!Array.isArray(item) || item.length !== 10) {
    throw new CustosError("CHAIN_DB_CORRUPT", "stored receipt has the wrong shape", {
      details: { keyspace: "receipts", key },
    });
  }
  const f = (i: number, name: string) => bytesField(item[i], key, name);
  const rawLogs: unknown = item[9];
  if (!Array.isArray(rawLogs)) {
    throw new CustosError("CHAIN_DB_CORRUPT", "stored receipt logs are malformed", {
      details: { keyspace: "receipts", key, field: "logs" },
    });
  }
  const logs = rawLogs.map((log: unknown): Log => {
    if (!Array.isArray(log) || log.length !== 3 || !Array.isArray(log[1])) {
      throw new CustosError("CHAIN_DB_CORRUPT", "stored log is malformed", {
        details: { keyspace: "receipts", key, field: "logs" },
      });
    }
    return [
      bytesField(log[0], key, "logs"),
      (log[1] as unknown[]).map((t) => bytesField(t, key, "logs")),
      bytesField(log[2], key, "logs"),
    ];
  });
  const contractAddress = f(7, "contractAddress");
  const receipt: StoredReceipt = {
    txType: bytesToInt(f(0, "txType")),
    txHash: f(1, "txHash"),
    txIndex: bytesToInt(f(2, "txIndex")),
    status: bytesToInt(f(3, "status")) === 1 ? 1 : 0,
    cumulativeGasUsed: bytesToBigInt(f(4, "cumulativeGasUsed")),
    gasUsed: bytesToBigInt(f(5, "gasUsed")),
    effectiveGasPrice: bytesToBigInt(f(6, "effectiveGasPrice")),
    logsBloom: f(8, "logsBloom"),
    logs,
  };
  return contractAddress.length === 0 ? receipt : { ...receipt, contractAddress };
}

/**
 * Decodes what {@link encodeStoredReceipts} wrote.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts list; `key`
 * (hex) is only used to name the record in the error.
 * @example
 * ```ts
 * const receipts = decodeStoredReceipts(bytes, "0x…");
 * ```
 */
export function decodeStoredReceipts(bytes: Uint8Array, key: string): StoredReceipt[] {
  const decoded = decodeRlp(bytes, { keyspace: "receipts", key });
  if (!Array.isArray(decoded)) {
    throw new CustosError("CHAIN_DB_CORRUPT", "stored receipts are not a list", {
      details: { keyspace: "receipts", key },
    });
  }
  return decoded.map((item) => receiptFromRlp(item, key));
}

/** One receipt of a block and the block-wide index of its first log. */
export interface LocatedReceipt {
  readonly receipt: StoredReceipt;
  /** Number of logs in the block's earlier receipts (eth_getLogs `logIndex` of its first). */
  readonly firstLogIndex: number;
}

/**
 * The receipt at `index` of a block's stored receipts, decoding only that one: the earlier
 * receipts' log lists are counted, not decoded (a receipt poll on a block of ten
 * 500-consent batches read the other nine for nothing).
 *
 * @returns undefined when the block has no receipt at `index`.
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts list.
 * @example
 * ```ts
 * const located = readStoredReceipt(bytes, "0x72…", 3);
 * ```
 */
export function readStoredReceipt(
  bytes: Uint8Array,
  key: string,
  index: number,
): LocatedReceipt | undefined {
  const source = { keyspace: "receipts", key };
  const receipts = storedReceiptItems(bytes, source);
  const item = receipts[index];
  if (item === undefined) return undefined;
  let firstLogIndex = 0;
  for (const earlier of receipts.slice(0, index)) {
    const { logs } = storedReceiptFields(bytes, earlier, source);
    firstLogIndex += rlpChildren(bytes, logs, source).length;
  }
  return { receipt: receiptFromRlp(decodeRlpItem(bytes, item, source), key), firstLogIndex };
}

/**
 * The receipts of a block's stored receipts list, as items read from their headers only.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not exactly one RLP list.
 * @example
 * ```ts
 * const items = storedReceiptItems(bytes, { keyspace: "receipts", key });
 * ```
 */
export function storedReceiptItems(bytes: Uint8Array, source: RlpSource): RlpItem[] {
  const outer = rlpItemAt(bytes, 0, bytes.length, source);
  if (outer.end !== bytes.length) throw wrongShape(source);
  return rlpChildren(bytes, outer, source);
}

/**
 * The fields of one stored receipt that readers use without decoding it: its transaction
 * hash and index, and its list of logs.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the receipt is not a 10-field list ending in a
 *   list.
 * @example
 * ```ts
 * const { logs } = storedReceiptFields(bytes, item, source);
 * ```
 */
export function storedReceiptFields(
  bytes: Uint8Array,
  receipt: RlpItem,
  source: RlpSource,
): { readonly txHash: RlpItem; readonly txIndex: RlpItem; readonly logs: RlpItem } {
  const fields = rlpChildren(bytes, receipt, source);
  const [, txHash, txIndex] = fields;
  const logs = fields[9];
  if (fields.length !== 10 || txHash === undefined || txIndex === undefined || !logs?.list) {
    throw wrongShape(source);
  }
  return { txHash, txIndex, logs };
}

function wrongShape(source: RlpSource): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", "stored receipts have the wrong shape", {
    details: { keyspace: source.keyspace, key: source.key },
  });
}
