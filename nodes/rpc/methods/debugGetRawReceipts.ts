import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { CustosError } from "../../../src/errors/index.ts";
import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import type { StoredReceipt } from "../NodeApi.ts";
import { rpcHex } from "../rpcHex.ts";

/** A receipt in its consensus encoding: type byte ‖ RLP, or the bare RLP of a legacy one. */
function consensusReceipt(type: number, receipt: StoredReceipt): Uint8Array {
  const encoded = RLP.encode([
    receipt.status === 1 ? Uint8Array.of(1) : new Uint8Array(0),
    bigIntToUnpaddedBytes(receipt.cumulativeGasUsed),
    receipt.logsBloom,
    receipt.logs.map(([address, topics, data]) => [address, topics, data]),
  ]);
  if (type === 0) return encoded;
  const typed = new Uint8Array(encoded.length + 1);
  typed[0] = type;
  typed.set(encoded, 1);
  return typed;
}

/**
 * `debug_getRawReceipts(block)`: every receipt of a block in its consensus encoding (EIP-2718:
 * type byte ‖ RLP of status, cumulative gas, bloom and logs; a legacy receipt as the bare
 * RLP), in transaction order — the values of the block's receipts trie, as geth and Besu
 * answer. The block is a number, a tag or (EIP-1898) a hash.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block (or
 *   one whose receipts are not stored), RPC_BLOCK_NOT_CANONICAL.
 * @example
 * ```ts
 * // ["0x1"] → ["0x02f9010901…", …]
 * ```
 */
export const debugGetRawReceipts = defineMethod({
  name: "debug_getRawReceipts",
  params: [blockIdParam.numberTagOrHash],
  async execute({ api }, [blockId]) {
    const block = await resolveBlock(api, blockId);
    const receipts = await api.receipts(block.hash());
    if (receipts === undefined) {
      throw new CustosError("RPC_RESOURCE_NOT_FOUND", "receipts not found", {
        details: { block: rpcHex.quantity(block.header.number) },
      });
    }
    return receipts.map((receipt) => {
      const tx = block.transactions[receipt.txIndex];
      if (tx === undefined) {
        throw new CustosError("INTERNAL", "transaction missing for a stored receipt", {
          details: { index: receipt.txIndex, transactions: block.transactions.length },
        });
      }
      return consensusReceipt(tx.type, receipt);
    });
  },
  format: (receipts: Uint8Array[]) => receipts.map(rpcHex.data),
});
