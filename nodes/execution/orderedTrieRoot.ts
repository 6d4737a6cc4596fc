import { intToUnpaddedBytes } from "@ethereumjs/util";
import { createTrieUpdate, EMPTY_TRIE_ROOT, encodeRlp } from "../db/index.ts";

/**
 * Root of the trie holding `values` under the keys RLP(0), RLP(1), …: a block's transactions
 * or receipts root. One batched in-memory update (each node hashed once) instead of
 * EthereumJS's put-by-put trie, which re-hashes the path on every put.
 *
 * @example
 * ```ts
 * const transactionsRoot = orderedTrieRoot(txs.map((tx) => tx.serialize()), keccak);
 * ```
 */
export function orderedTrieRoot(
  values: readonly Uint8Array[],
  keccak: (data: Uint8Array) => Uint8Array,
): Uint8Array {
  const update = createTrieUpdate({ root: EMPTY_TRIE_ROOT, load: () => undefined, keccak });
  for (const [index, value] of values.entries()) {
    update.put(encodeRlp(intToUnpaddedBytes(index)), value);
  }
  return update.commit().root;
}
