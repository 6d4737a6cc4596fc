import { defineMethod } from "../defineMethod.ts";
import type { JsonValue } from "../JsonValue.ts";
import { param } from "../param.ts";
import { transactionInBlock, transactionIndexParam } from "../transactionInBlock.ts";

/**
 * `eth_getTransactionByBlockHashAndIndex(hash, index)`: a committed transaction by its
 * position, or null when the block or the index is unknown.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x…", "0x0"] → { hash: "0x…", blockNumber: "0x1", … } | null
 * ```
 */
export const ethGetTransactionByBlockHashAndIndex = defineMethod({
  name: "eth_getTransactionByBlockHashAndIndex",
  params: [param.hash, transactionIndexParam],
  async execute({ api }, [hash, index]): Promise<JsonValue> {
    return transactionInBlock(await api.blockByHash(hash), index);
  },
  format: (json: JsonValue) => json,
});
