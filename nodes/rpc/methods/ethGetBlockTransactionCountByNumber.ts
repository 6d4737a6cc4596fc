import { blockIdParam, findBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getBlockTransactionCountByNumber(numberOrTag)`: the number of transactions in a
 * block, or null above the head.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["latest"] → "0x3" | null
 * ```
 */
export const ethGetBlockTransactionCountByNumber = defineMethod({
  name: "eth_getBlockTransactionCountByNumber",
  params: [blockIdParam.numberOrTag],
  async execute({ api }, [blockId]) {
    return (await findBlock(api, blockId))?.transactions.length;
  },
  format: (count: number | undefined) => (count === undefined ? null : rpcHex.quantity(count)),
});
