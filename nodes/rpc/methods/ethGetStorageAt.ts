import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_getStorageAt(address, slot, block)`: a 32-byte storage word at a block (EIP-1898).
 * The slot may be sent as a quantity or as up to 32 bytes of hex.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block.
 * @example
 * ```ts
 * // ["0x…", "0x0", "latest"] → "0x000…01"
 * ```
 */
export const ethGetStorageAt = defineMethod({
  name: "eth_getStorageAt",
  params: [param.address, param.slot, blockIdParam.numberTagOrHash],
  async execute({ api }, [address, slot, blockId]) {
    const value = await api.storageAt(address, slot, await resolveBlock(api, blockId));
    const word = new Uint8Array(32);
    word.set(value.subarray(Math.max(0, value.length - 32)), 32 - Math.min(32, value.length));
    return word;
  },
  format: rpcHex.data,
});
