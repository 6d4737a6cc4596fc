import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RpcObserver } from "./createRpcDispatcher.ts";
import type { NodeApi } from "./NodeApi.ts";
import type { SubscriptionKind } from "./SubscriptionRegistry.ts";

/** The server's Prometheus metrics. */
export interface RpcMetrics {
  readonly registry: Registry;
  /** Feeds RPC latency and error counters. */
  readonly observer: Pick<RpcObserver, "request">;
  /** Moves the live-subscriptions gauge. */
  subscriptionsChanged(kind: SubscriptionKind, delta: 1 | -1): void;
  /** Stops listening to the node's block execution events. */
  close(): void;
}

/** Options of {@link createRpcMetrics}. */
export interface RpcMetricsOptions {
  readonly api: NodeApi;
  readonly prefix: string;
  readonly processMetrics: boolean;
}

/**
 * Creates a private prom-client registry (one per server, so tests and several servers in a
 * process do not collide): chain height, committed transactions, pool size and peers read
 * from `api.metrics()` at scrape time; block execution time fed by `api.onBlockExecuted`;
 * RPC latency by method, RPC errors by code and live WebSocket subscriptions by type.
 *
 * @example
 * ```ts
 * const metrics = createRpcMetrics({ api, prefix: "custos_", processMetrics: false });
 * await metrics.registry.metrics(); // Prometheus text
 * ```
 */
export function createRpcMetrics(options: RpcMetricsOptions): RpcMetrics {
  const { api, prefix } = options;
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix });
  new Gauge({
    name: `${prefix}chain_height`,
    help: "Number of the head block.",
    registers: [registry],
    collect() {
      this.set(Number(api.metrics().height));
    },
  });
  new Gauge({
    name: `${prefix}chain_transactions`,
    help: "Transactions committed since the node process started.",
    registers: [registry],
    collect() {
      this.set(Number(api.metrics().transactions));
    },
  });
  new Gauge({
    name: `${prefix}txpool_size`,
    help: "Transactions waiting in the pool.",
    registers: [registry],
    collect() {
      this.set(api.metrics().poolSize);
    },
  });
  new Gauge({
    name: `${prefix}peers`,
    help: "Connected peers.",
    registers: [registry],
    collect() {
      this.set(api.metrics().peers);
    },
  });
  const blockExecution = new Histogram({
    name: `${prefix}block_execution_seconds`,
    help: "Wall-clock time to execute one block.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rpcDuration = new Histogram({
    name: `${prefix}rpc_request_duration_seconds`,
    help: "JSON-RPC request handling time by method (unknown methods share one label).",
    labelNames: ["method"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const rpcErrors = new Counter({
    name: `${prefix}rpc_errors_total`,
    help: "JSON-RPC error responses by EIP-1474 code.",
    labelNames: ["code"],
    registers: [registry],
  });
  const subscriptions = new Gauge({
    name: `${prefix}ws_subscriptions`,
    help: "Live WebSocket subscriptions by type.",
    labelNames: ["type"],
    registers: [registry],
  });
  subscriptions.set({ type: "newHeads" }, 0);
  subscriptions.set({ type: "logs" }, 0);
  const stop = api.onBlockExecuted((event) => blockExecution.observe(event.seconds));
  return {
    registry,
    observer: {
      request(method, seconds, errorCode) {
        rpcDuration.observe({ method }, seconds);
        if (errorCode !== undefined) rpcErrors.inc({ code: String(errorCode) });
      },
    },
    subscriptionsChanged(kind, delta) {
      subscriptions.inc({ type: kind }, delta);
    },
    close: stop,
  };
}
