import { CustosError } from "../../../src/errors/index.ts";
import { defineMethod } from "../defineMethod.ts";
import { logFilterParam } from "../logFilterParam.ts";
import { type Decoder, param } from "../param.ts";
import type { SubscriptionRequest } from "../SubscriptionRegistry.ts";

const kindParam: Decoder<"newHeads" | "logs"> = (value, path) =>
  value === "newHeads" || value === "logs"
    ? value
    : param.invalid(path, 'a subscription type the node serves ("newHeads" or "logs")', value);

// Hoisted: a generic call inside `params` would defeat defineMethod's tuple inference.
const optionalFilter = param.optional(logFilterParam);

/**
 * `eth_subscribe(kind, filter?)` over WebSocket: `newHeads`, or `logs` with an optional
 * address/topics filter (block fields of the filter are ignored, as in geth).
 *
 * @throws CustosError RPC_METHOD_NOT_SUPPORTED over HTTP, RPC_LIMIT_EXCEEDED at the
 *   per-connection cap, RPC_INVALID_PARAMS.
 * @example
 * ```ts
 * // ["logs", { address: "0x…", topics: ["0x…"] }] → "0x9cef478923ff08bf67fde6c64013158d"
 * ```
 */
export const ethSubscribe = defineMethod({
  name: "eth_subscribe",
  params: [kindParam, optionalFilter],
  execute({ subscriptions, limits }, [kind, filter]): string {
    if (subscriptions === undefined) {
      throw new CustosError(
        "RPC_METHOD_NOT_SUPPORTED",
        "notifications not supported over HTTP; use WebSocket",
        {
          details: { method: "eth_subscribe" },
        },
      );
    }
    if (kind === "newHeads") {
      if (filter !== undefined) param.invalid("params[1]", "no filter for newHeads", filter);
      return subscriptions.subscribe({ kind });
    }
    const addresses = filter?.addresses ?? [];
    if (addresses.length > limits.maxLogFilterAddresses) {
      throw new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `too many addresses in filter: ${addresses.length}, limit ${limits.maxLogFilterAddresses}`,
        { details: { limit: "maxLogFilterAddresses", max: limits.maxLogFilterAddresses } },
      );
    }
    const request: SubscriptionRequest = { kind, addresses, topics: filter?.topics ?? [] };
    return subscriptions.subscribe(request);
  },
  format: (id: string) => id,
});
