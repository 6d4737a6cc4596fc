import { CustosError } from "../../../src/errors/index.ts";
import { defineMethod } from "../defineMethod.ts";
import { type Decoder, param } from "../param.ts";

const subscriptionId: Decoder<string> = (value, path) =>
  typeof value === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(value)
    ? value.toLowerCase()
    : param.invalid(path, "a subscription id", value);

/**
 * `eth_unsubscribe(id)` over WebSocket: true when the id was a live subscription of this
 * connection, else false.
 *
 * @throws CustosError RPC_METHOD_NOT_SUPPORTED over HTTP, RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["0x9cef478923ff08bf67fde6c64013158d"] → true
 * ```
 */
export const ethUnsubscribe = defineMethod({
  name: "eth_unsubscribe",
  params: [subscriptionId],
  execute({ subscriptions }, [id]): boolean {
    if (subscriptions === undefined) {
      throw new CustosError(
        "RPC_METHOD_NOT_SUPPORTED",
        "notifications not supported over HTTP; use WebSocket",
        {
          details: { method: "eth_unsubscribe" },
        },
      );
    }
    return subscriptions.unsubscribe(id);
  },
  format: (removed: boolean) => removed,
});
