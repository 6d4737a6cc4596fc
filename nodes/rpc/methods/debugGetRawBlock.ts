import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `debug_getRawBlock(block)`: the RLP of a whole block as the node stores it — `[header,
 * transactions, uncles]` (and withdrawals from Shanghai on), typed transactions as byte
 * strings — as geth and Besu answer it. The block is a number, a tag or (EIP-1898) a hash.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block,
 *   RPC_BLOCK_NOT_CANONICAL.
 * @example
 * ```ts
 * // ["0x1"] → "0xf90301f90257a0…"
 * ```
 */
export const debugGetRawBlock = defineMethod({
  name: "debug_getRawBlock",
  params: [blockIdParam.numberTagOrHash],
  async execute({ api }, [blockId]) {
    return (await resolveBlock(api, blockId)).serialize();
  },
  format: rpcHex.data,
});
