import { defineMethod } from "../defineMethod.ts";
import { formatTransaction } from "../formatTransaction.ts";
import type { JsonValue } from "../JsonValue.ts";
import { param } from "../param.ts";

/**
 * `eth_getTransactionByHash(hash)`: a committed transaction with its block fields, a pooled
 * one with null block fields, or null.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x…"] → { hash: "0x…", blockNumber: "0x1", … } | null
 * ```
 */
export const ethGetTransactionByHash = defineMethod({
  name: "eth_getTransactionByHash",
  params: [param.hash],
  async execute({ api }, [hash]): Promise<JsonValue> {
    const location = await api.transactionLocation(hash);
    if (location !== undefined) {
      const block = await api.blockByHash(location.blockHash);
      const tx = block?.transactions[location.index];
      if (block !== undefined && tx !== undefined) {
        return formatTransaction(tx, { block, index: location.index });
      }
    }
    const pending = api.pendingTransaction(hash);
    return pending === undefined ? null : formatTransaction(pending, undefined);
  },
  format: (json: JsonValue) => json,
});
