import { filterIdKey } from "./FilterRegistry.ts";
import { type Decoder, param } from "./param.ts";

/**
 * Decodes a filter id (execution-apis `uint`: a quantity) to the registry's key.
 *
 * @throws CustosError RPC_INVALID_PARAMS for anything but a quantity of at most 256 bits.
 * @example
 * ```ts
 * filterIdParam("0x9cef478923ff08bf67fde6c64013158d", "params[0]");
 * ```
 */
export const filterIdParam: Decoder<string> = (value, path) =>
  filterIdKey(param.uint256(value, path));
