import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `debug_getRawHeader(block)`: the RLP of a block's header as the node stores it, its QBFT
 * commit seals included (geth's and Besu's method; the bytes an offline proof carries). The
 * block is a number, a tag or (EIP-1898) a hash.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block,
 *   RPC_BLOCK_NOT_CANONICAL.
 * @example
 * ```ts
 * // ["0x1"] → "0xf90257a0…"
 * ```
 */
export const debugGetRawHeader = defineMethod({
  name: "debug_getRawHeader",
  params: [blockIdParam.numberTagOrHash],
  async execute({ api }, [blockId]) {
    return (await resolveBlock(api, blockId)).header.serialize();
  },
  format: rpcHex.data,
});
