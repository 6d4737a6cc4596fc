import { blockIdParam, findBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import type { JsonValue } from "../JsonValue.ts";
import { transactionInBlock, transactionIndexParam } from "../transactionInBlock.ts";

/**
 * `eth_getTransactionByBlockNumberAndIndex(numberOrTag, index)`: a committed transaction by
 * its position, or null above the head or past the block's last index.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["latest", "0x0"] → { hash: "0x…", blockNumber: "0x2", … } | null
 * ```
 */
export const ethGetTransactionByBlockNumberAndIndex = defineMethod({
  name: "eth_getTransactionByBlockNumberAndIndex",
  params: [blockIdParam.numberOrTag, transactionIndexParam],
  async execute({ api }, [blockId, index]): Promise<JsonValue> {
    return transactionInBlock(await findBlock(api, blockId), index);
  },
  format: (json: JsonValue) => json,
});
