import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getTransactionCount(address, block)`: an account's nonce at a block; with `pending`,
 * the next nonce counting the sender's pooled transactions.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block.
 * @example
 * ```ts
 * // ["0x…", "pending"] → "0x3"
 * ```
 */
export const ethGetTransactionCount = defineMethod({
  name: "eth_getTransactionCount",
  params: [param.address, blockIdParam.numberTagOrHash],
  async execute({ api }, [address, blockId]) {
    if (blockId.kind === "tag" && blockId.tag === "pending") return api.pendingNonce(address);
    return (await api.account(address, await resolveBlock(api, blockId))).nonce;
  },
  format: rpcHex.quantity,
});
