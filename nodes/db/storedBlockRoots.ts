import { bigIntToBytes, intToUnpaddedBytes } from "@ethereumjs/util";
import { createTrieUpdate, EMPTY_TRIE_ROOT } from "./createTrieUpdate.ts";
import { encodeRlp } from "./encodeRlp.ts";
import type { StoredReceipt } from "./storedReceipt.ts";

/** The chain's keccak256. */
export type Keccak = (data: Uint8Array) => Uint8Array;

function orderedRoot(values: readonly Uint8Array[], keccak: Keccak): Uint8Array {
  const update = createTrieUpdate({ root: EMPTY_TRIE_ROOT, load: () => undefined, keccak });
  for (const [index, value] of values.entries()) {
    update.put(encodeRlp(intToUnpaddedBytes(index)), value);
  }
  return update.commit().root;
}

/**
 * The transactions root of a stored block body (the trie of serialized transactions under
 * RLP(index)), to check a stored body against its header.
 *
 * @example
 * ```ts
 * equalsBytes(storedTransactionsRoot(block.transactions.map((t) => t.serialize()), keccak), block.header.transactionsTrie);
 * ```
 */
export function storedTransactionsRoot(
  serialized: readonly Uint8Array[],
  keccak: Keccak,
): Uint8Array {
  return orderedRoot(serialized, keccak);
}

/**
 * The receipts root of a block's stored receipts: each receipt in its consensus form (EIP-2718
 * type byte, then RLP of status, cumulative gas, bloom and logs), as execution computed it,
 * so stored receipts can be checked against the header without re-executing the block.
 *
 * @example
 * ```ts
 * equalsBytes(storedReceiptsRoot(receipts, keccak), header.receiptTrie);
 * ```
 */
export function storedReceiptsRoot(receipts: readonly StoredReceipt[], keccak: Keccak): Uint8Array {
  const values = receipts.map((receipt) => {
    const encoded = encodeRlp([
      receipt.status === 1 ? Uint8Array.of(1) : new Uint8Array(0),
      bigIntToBytes(receipt.cumulativeGasUsed),
      receipt.logsBloom,
      receipt.logs.map(([address, topics, data]) => [address, topics, data]),
    ]);
    if (receipt.txType === 0) return encoded;
    const typed = new Uint8Array(encoded.length + 1);
    typed[0] = receipt.txType;
    typed.set(encoded, 1);
    return typed;
  });
  return orderedRoot(values, keccak);
}
