import type { Block } from "@ethereumjs/block";
import { defineMethod } from "../defineMethod.ts";
import { formatBlock } from "../formatBlock.ts";
import { param } from "../param.ts";

/**
 * `eth_getBlockByHash(hash, fullTransactions)`: a block, or null when unknown.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x…", true] → { hash: "0x…", transactions: [{ … }], … }
 * ```
 */
export const ethGetBlockByHash = defineMethod({
  name: "eth_getBlockByHash",
  params: [param.hash, param.bool],
  async execute({ api }, [hash, full]) {
    return { block: await api.blockByHash(hash), full };
  },
  format: ({ block, full }: { block: Block | undefined; full: boolean }) =>
    block === undefined ? null : formatBlock(block, full),
});
