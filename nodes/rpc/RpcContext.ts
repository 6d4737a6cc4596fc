import type { NodeApi } from "./NodeApi.ts";
import type { RpcLimits } from "./rpcServerOptions.ts";
import type { SubscriptionRegistry } from "./SubscriptionRegistry.ts";

/**
 * What a method handler may use: the node, the configured limits and, on a WebSocket
 * connection only, that connection's subscriptions.
 *
 * @example
 * ```ts
 * const context: RpcContext = { api, limits: defaultRpcServerOptions.limits };
 * ```
 */
export interface RpcContext {
  readonly api: NodeApi;
  readonly limits: RpcLimits;
  /** Present on WebSocket connections; subscriptions are refused over HTTP. */
  readonly subscriptions?: SubscriptionRegistry;
}
