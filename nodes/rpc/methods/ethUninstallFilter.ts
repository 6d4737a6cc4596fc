import { defineMethod } from "../defineMethod.ts";
import { filterIdParam } from "../filterIdParam.ts";
import { filterRegistryOf } from "../filterRegistryOf.ts";

/**
 * `eth_uninstallFilter(id)`: true when the id was an installed filter, else false.
 *
 * @throws CustosError RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x9cef478923ff08bf67fde6c64013158d"] → true
 * ```
 */
export const ethUninstallFilter = defineMethod({
  name: "eth_uninstallFilter",
  params: [filterIdParam],
  execute: (context, [id]): boolean =>
    filterRegistryOf(context, "eth_uninstallFilter").uninstall(id),
  format: (removed: boolean) => removed,
});
