import { randomBytes } from "node:crypto";
import { CustosError } from "../../src/errors/index.ts";
import { formatHeader } from "./formatHeader.ts";
import { formatLog } from "./formatLog.ts";
import type { JsonValue } from "./JsonValue.ts";
import { matchesLogFilter } from "./matchesLogFilter.ts";
import type { LogFilter, NodeApi } from "./NodeApi.ts";

/** What an eth_subscribe asks for. */
export type SubscriptionRequest =
  | { readonly kind: "newHeads" }
  | ({ readonly kind: "logs" } & Pick<LogFilter, "addresses" | "topics">);

/** The subscription kinds the node serves. */
export type SubscriptionKind = SubscriptionRequest["kind"];

/** One WebSocket connection's live subscriptions. */
export interface SubscriptionRegistry {
  /**
   * Starts a subscription; returns its id (16 random bytes as hex, as geth).
   *
   * @throws CustosError RPC_LIMIT_EXCEEDED when the connection is at its cap.
   */
  subscribe(request: SubscriptionRequest): string;
  /** Ends a subscription of this connection; false when the id is not one. */
  unsubscribe(id: string): boolean;
  /** Ends every subscription (connection closed). */
  close(): void;
  /** Live subscriptions. */
  readonly size: number;
}

/** Options of {@link createSubscriptionRegistry}. */
export interface SubscriptionRegistryOptions {
  readonly api: NodeApi;
  readonly maxSubscriptions: number;
  /** Sends one serialised JSON-RPC notification to the connection. */
  readonly send: (message: string) => void;
  /** Told of every subscription started (+1) or ended (-1), for the metrics gauge. */
  readonly onCountChange?: (kind: SubscriptionKind, delta: 1 | -1) => void;
  /**
   * Told of a notification that could not be formatted or sent. Errors never propagate into
   * the node's event emitter, whose other listeners (and block commit) must go on.
   */
  readonly onError?: (cause: unknown) => void;
}

/**
 * Creates the subscription registry of one connection. Notifications are
 * `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":id,"result":…}}`:
 * a header per new head; each matching log separately, as geth sends them.
 *
 * @example
 * ```ts
 * const subs = createSubscriptionRegistry({ api, maxSubscriptions: 128, send: (m) => socket.send(m) });
 * const id = subs.subscribe({ kind: "newHeads" });
 * ```
 */
export function createSubscriptionRegistry(
  options: SubscriptionRegistryOptions,
): SubscriptionRegistry {
  const live = new Map<string, { kind: SubscriptionKind; stop: () => void }>();
  const notify = (id: string, result: () => JsonValue): void => {
    try {
      options.send(
        JSON.stringify({
          jsonrpc: "2.0",
          method: "eth_subscription",
          params: { subscription: id, result: result() },
        }),
      );
    } catch (cause) {
      options.onError?.(cause);
    }
  };
  const end = (id: string): boolean => {
    const subscription = live.get(id);
    if (subscription === undefined) return false;
    live.delete(id);
    subscription.stop();
    options.onCountChange?.(subscription.kind, -1);
    return true;
  };
  return {
    subscribe(request) {
      if (live.size >= options.maxSubscriptions) {
        throw new CustosError(
          "RPC_LIMIT_EXCEEDED",
          `too many subscriptions on this connection, limit ${options.maxSubscriptions}`,
          { details: { limit: "maxSubscriptionsPerConnection", max: options.maxSubscriptions } },
        );
      }
      const id = `0x${randomBytes(16).toString("hex")}`;
      const stop =
        request.kind === "newHeads"
          ? options.api.onNewHead((block) => notify(id, () => formatHeader(block.header)))
          : options.api.onLogs((logs) => {
              for (const log of logs) {
                if (matchesLogFilter(log, request)) notify(id, () => formatLog(log));
              }
            });
      live.set(id, { kind: request.kind, stop });
      options.onCountChange?.(request.kind, 1);
      return id;
    },
    unsubscribe: end,
    close() {
      for (const id of [...live.keys()]) end(id);
    },
    get size() {
      return live.size;
    },
  };
}
