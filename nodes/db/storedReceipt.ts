import type { Log } from "@ethereumjs/evm";
import { RLP } from "@ethereumjs/rlp";
import {
  bigIntToUnpaddedBytes,
  bytesToBigInt,
  bytesToInt,
  intToUnpaddedBytes,
} from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
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
  let decoded: unknown;
  try {
    decoded = RLP.decode(bytes);
  } catch (cause) {
    throw new CustosError("CHAIN_DB_CORRUPT", "stored receipts are not RLP", {
      details: { keyspace: "receipts", key },
      cause,
    });
  }
  if (!Array.isArray(decoded)) {
    throw new CustosError("CHAIN_DB_CORRUPT", "stored receipts are not a list", {
      details: { keyspace: "receipts", key },
    });
  }
  return decoded.map((item: unknown) => {
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
  });
}
