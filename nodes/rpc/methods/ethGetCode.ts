import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getCode(address, block)`: an account's code at a block (EIP-1898).
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block.
 * @example
 * ```ts
 * // ["0x…", "latest"] → "0x6080…" or "0x"
 * ```
 */
export const ethGetCode = defineMethod({
  name: "eth_getCode",
  params: [param.address, blockIdParam.numberTagOrHash],
  async execute({ api }, [address, blockId]) {
    return api.code(address, await resolveBlock(api, blockId));
  },
  format: rpcHex.data,
});
