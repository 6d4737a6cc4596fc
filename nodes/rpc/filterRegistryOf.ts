import { CustosError } from "../../src/errors/index.ts";
import type { FilterRegistry } from "./FilterRegistry.ts";
import type { RpcContext } from "./RpcContext.ts";

/**
 * The context's filter registry, for the filter methods.
 *
 * @throws CustosError RPC_METHOD_NOT_SUPPORTED when the server runs without polling filters.
 * @example
 * ```ts
 * const id = filterRegistryOf(context, "eth_newBlockFilter").installBlocks(client);
 * ```
 */
export function filterRegistryOf(context: RpcContext, method: string): FilterRegistry {
  if (context.filters === undefined) {
    throw new CustosError("RPC_METHOD_NOT_SUPPORTED", "polling filters are not available", {
      details: { method },
    });
  }
  return context.filters;
}
