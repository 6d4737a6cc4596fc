import type { Block } from "@ethereumjs/block";
import { CustosError } from "../../src/errors/index.ts";
import { formatLog } from "./formatLog.ts";
import type { JsonValue } from "./JsonValue.ts";
import type { IndexedLog, StoredReceipt } from "./NodeApi.ts";
import { rpcHex } from "./rpcHex.ts";

function locatedLogs(
  block: Block,
  blockHash: Uint8Array,
  receipt: StoredReceipt,
  firstLogIndex: number,
): IndexedLog[] {
  return receipt.logs.map(([address, topics, data], offset) => ({
    address,
    topics,
    data,
    blockNumber: block.header.number,
    blockHash,
    txHash: receipt.txHash,
    txIndex: receipt.txIndex,
    logIndex: firstLogIndex + offset,
    removed: false,
  }));
}

/**
 * Every log of a block, in order, with its chain position (what `logs` subscribers receive
 * when the block is committed).
 *
 * @example
 * ```ts
 * blockLogs(block, receipts).map((log) => log.logIndex); // 0, 1, 2, …
 * ```
 */
export function blockLogs(block: Block, receipts: readonly StoredReceipt[]): IndexedLog[] {
  const blockHash = block.hash();
  const logs: IndexedLog[] = [];
  for (const receipt of receipts) logs.push(...locatedLogs(block, blockHash, receipt, logs.length));
  return logs;
}

/**
 * Formats one receipt of `block` as execution-apis' ReceiptInfo (type, status,
 * effectiveGasPrice, contractAddress or null, logs with block-global indexes starting at
 * `firstLogIndex`, the number of logs in the block's earlier receipts).
 *
 * @throws CustosError INTERNAL when the block has no transaction at the receipt's index.
 * @example
 * ```ts
 * formatReceipt(block, receipt, 0).status; // "0x1"
 * ```
 */
export function formatReceipt(
  block: Block,
  receipt: StoredReceipt,
  firstLogIndex: number,
): { readonly [key: string]: JsonValue } {
  const index = receipt.txIndex;
  const tx = block.transactions[index];
  if (tx === undefined) {
    throw new CustosError("INTERNAL", "transaction missing for a stored receipt", {
      details: { index, transactions: block.transactions.length },
    });
  }
  const json: Record<string, JsonValue> = {
    type: rpcHex.quantity(tx.type),
    transactionHash: rpcHex.data(receipt.txHash),
    transactionIndex: rpcHex.quantity(index),
    blockHash: rpcHex.data(block.hash()),
    blockNumber: rpcHex.quantity(block.header.number),
    from: rpcHex.data(tx.getSenderAddress().bytes),
    to: rpcHex.optionalData(tx.to?.bytes),
    cumulativeGasUsed: rpcHex.quantity(receipt.cumulativeGasUsed),
    gasUsed: rpcHex.quantity(receipt.gasUsed),
    contractAddress: rpcHex.optionalData(receipt.contractAddress),
    logs: locatedLogs(block, block.hash(), receipt, firstLogIndex).map(formatLog),
    logsBloom: rpcHex.data(receipt.logsBloom),
    status: rpcHex.quantity(receipt.status),
    effectiveGasPrice: rpcHex.quantity(receipt.effectiveGasPrice),
  };
  if (receipt.blobGasUsed !== undefined) json.blobGasUsed = rpcHex.quantity(receipt.blobGasUsed);
  if (receipt.blobGasPrice !== undefined) json.blobGasPrice = rpcHex.quantity(receipt.blobGasPrice);
  return json;
}
