import { blockIdParam, findBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { formatReceipt } from "../formatReceipt.ts";
import type { JsonValue } from "../JsonValue.ts";

/**
 * `eth_getBlockReceipts(block)`: every receipt of a block, in transaction order, or null for
 * an unknown block. The block is a number, a tag or (EIP-1898) a hash.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_BLOCK_NOT_CANONICAL.
 * @example
 * ```ts
 * // ["0x1"] → [{ transactionIndex: "0x0", status: "0x1", … }, …] | null
 * ```
 */
export const ethGetBlockReceipts = defineMethod({
  name: "eth_getBlockReceipts",
  params: [blockIdParam.numberTagOrHash],
  async execute({ api }, [blockId]): Promise<JsonValue> {
    const block = await findBlock(api, blockId);
    if (block === undefined) return null;
    const receipts = await api.receipts(block.hash());
    if (receipts === undefined) return null;
    let firstLogIndex = 0;
    return receipts.map((receipt) => {
      const json = formatReceipt(block, receipt, firstLogIndex);
      firstLogIndex += receipt.logs.length;
      return json;
    });
  },
  format: (json: JsonValue) => json,
});
