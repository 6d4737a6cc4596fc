import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getBlockTransactionCountByHash(hash)`: the number of transactions in a block, or null
 * for an unknown block.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x…"] → "0x3" | null
 * ```
 */
export const ethGetBlockTransactionCountByHash = defineMethod({
  name: "eth_getBlockTransactionCountByHash",
  params: [param.hash],
  async execute({ api }, [hash]) {
    return (await api.blockByHash(hash))?.transactions.length;
  },
  format: (count: number | undefined) => (count === undefined ? null : rpcHex.quantity(count)),
});
