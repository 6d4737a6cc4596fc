import { defineMethod } from "../defineMethod.ts";
import { formatReceipt } from "../formatReceipt.ts";
import type { JsonValue } from "../JsonValue.ts";
import { param } from "../param.ts";

/**
 * `eth_getTransactionReceipt(hash)`: the receipt of a committed transaction, or null (also
 * while it is pending).
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x…"] → { status: "0x1", logs: [ … ], … } | null
 * ```
 */
export const ethGetTransactionReceipt = defineMethod({
  name: "eth_getTransactionReceipt",
  params: [param.hash],
  async execute({ api }, [hash]): Promise<JsonValue> {
    const location = await api.transactionLocation(hash);
    if (location === undefined) return null;
    const block = await api.blockByHash(location.blockHash);
    const located = await api.receipt(location.blockHash, location.index);
    if (block === undefined || located === undefined) return null;
    return formatReceipt(block, located.receipt, located.firstLogIndex);
  },
  format: (json: JsonValue) => json,
});
