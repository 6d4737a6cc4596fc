import type { Block } from "@ethereumjs/block";
import { blockIdParam, findBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { formatBlock } from "../formatBlock.ts";
import { param } from "../param.ts";

/**
 * `eth_getBlockByNumber(numberOrTag, fullTransactions)`: a block, or null above the head.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["latest", false] → { number: "0x2", transactions: ["0x…"], … }
 * ```
 */
export const ethGetBlockByNumber = defineMethod({
  name: "eth_getBlockByNumber",
  params: [blockIdParam.numberOrTag, param.bool],
  async execute({ api }, [blockId, full]) {
    return { block: await findBlock(api, blockId), full };
  },
  format: ({ block, full }: { block: Block | undefined; full: boolean }) =>
    block === undefined ? null : formatBlock(block, full),
});
