import type { FilterRegistry } from "./FilterRegistry.ts";
import type { NodeApi } from "./NodeApi.ts";
import type { RpcLimits } from "./rpcServerOptions.ts";
import type { SubscriptionRegistry } from "./SubscriptionRegistry.ts";

/**
 * What a method handler may use: the node, the configured limits, the server's polling
 * filters, who is calling and, on a WebSocket connection only, that connection's
 * subscriptions.
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
  /** The server's polling filters (eth_newFilter and the like); absent: filters are refused. */
  readonly filters?: FilterRegistry;
  /**
   * Who is calling, for per-client caps: the remote address of the HTTP request or of the
   * WebSocket connection (default "local" when the transport has none).
   */
  readonly client?: string;
}
