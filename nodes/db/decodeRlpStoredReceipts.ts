import type { Log } from "@ethereumjs/evm";
import { bytesToBigInt, bytesToInt } from "@ethereumjs/util";
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
import type { LocatedReceipt, StoredReceipt } from "./StoredReceiptTypes.ts";

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
 * Decodes a block's receipts stored in the older format, one RLP list of receipts (each
 * `[type, tx hash, tx index, status, cumulative gas, gas used, effective gas price, contract
 * address or empty, bloom, logs]`), which databases written before the compact format hold.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts list; `key`
 * (hex) is only used to name the record in the error.
 * @example
 * ```ts
 * const receipts = decodeRlpStoredReceipts(bytes, "0x…");
 * ```
 */
export function decodeRlpStoredReceipts(bytes: Uint8Array, key: string): StoredReceipt[] {
  const decoded = decodeRlp(bytes, { keyspace: "receipts", key });
  if (!Array.isArray(decoded)) {
    throw new CustosError("CHAIN_DB_CORRUPT", "stored receipts are not a list", {
      details: { keyspace: "receipts", key },
    });
  }
  return decoded.map((item) => receiptFromRlp(item, key));
}

/**
 * The receipt at `index` of a block's receipts in the older RLP format, decoding only that
 * one: the earlier receipts' log lists are counted, not decoded.
 *
 * @returns undefined when the block has no receipt at `index`.
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not a receipts list.
 * @example
 * ```ts
 * const located = readRlpStoredReceipt(bytes, "0x72…", 3);
 * ```
 */
export function readRlpStoredReceipt(
  bytes: Uint8Array,
  key: string,
  index: number,
): LocatedReceipt | undefined {
  const source = { keyspace: "receipts", key };
  const receipts = rlpReceiptItems(bytes, source);
  const item = receipts[index];
  if (item === undefined) return undefined;
  let firstLogIndex = 0;
  for (const earlier of receipts.slice(0, index)) {
    const { logs } = rlpReceiptFields(bytes, earlier, source);
    firstLogIndex += rlpChildren(bytes, logs, source).length;
  }
  return { receipt: receiptFromRlp(decodeRlpItem(bytes, item, source), key), firstLogIndex };
}

/**
 * The receipts of a block's receipts list in the older RLP format, as items read from their
 * headers only.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the bytes are not exactly one RLP list.
 * @example
 * ```ts
 * const items = rlpReceiptItems(bytes, { keyspace: "receipts", key });
 * ```
 */
export function rlpReceiptItems(bytes: Uint8Array, source: RlpSource): RlpItem[] {
  const outer = rlpItemAt(bytes, 0, bytes.length, source);
  if (outer.end !== bytes.length) throw wrongShape(source);
  return rlpChildren(bytes, outer, source);
}

/**
 * The fields of one receipt in the older RLP format that readers use without decoding it:
 * its transaction hash and index, and its list of logs.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the receipt is not a 10-field list ending in a
 *   list.
 * @example
 * ```ts
 * const { logs } = rlpReceiptFields(bytes, item, source);
 * ```
 */
export function rlpReceiptFields(
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
