import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getBalance(address, block)`: an account's balance in wei at a block (EIP-1898).
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block.
 * @example
 * ```ts
 * // ["0x…", "latest"] → "0xde0b6b3a7640000"
 * ```
 */
export const ethGetBalance = defineMethod({
  name: "eth_getBalance",
  params: [param.address, blockIdParam.numberTagOrHash],
  async execute({ api }, [address, blockId]) {
    return (await api.account(address, await resolveBlock(api, blockId))).balance;
  },
  format: rpcHex.quantity,
});
