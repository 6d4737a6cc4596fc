import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RpcObserver } from "./createRpcDispatcher.ts";
import type { FilterKind } from "./FilterRegistry.ts";
import { formatCounterSeries } from "./formatCounterSeries.ts";
import type { NodeApi } from "./NodeApi.ts";
import { registerConsensusMetrics } from "./registerConsensusMetrics.ts";
import type { SubscriptionKind } from "./SubscriptionRegistry.ts";

/** The server's Prometheus metrics. */
export interface RpcMetrics {
  readonly registry: Registry;
  /** The whole `/metrics` text: the registry's series and the node parts' counters. */
  exposition(): Promise<string>;
  /** Feeds RPC latency and error counters. */
  readonly observer: Pick<RpcObserver, "request">;
  /** Moves the live-subscriptions gauge. */
  subscriptionsChanged(kind: SubscriptionKind, delta: 1 | -1): void;
  /** Moves the installed-polling-filters gauge. */
  filtersChanged(kind: FilterKind, delta: 1 | -1): void;
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
 * process do not collide): chain height, committed transactions, pool size, peers,
 * eth_call timeouts and chain database check failures read from `api.metrics()` at scrape time; block execution time fed by `api.onBlockExecuted`;
 * RPC latency by method, RPC errors by code, live WebSocket subscriptions by type and
 * installed polling filters by kind.
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
  const filters = new Gauge({
    name: `${prefix}rpc_filters`,
    help: "Installed polling filters (eth_newFilter and the like) by kind.",
    labelNames: ["kind"],
    registers: [registry],
  });
  for (const kind of ["logs", "blocks", "pendingTransactions"]) filters.set({ kind }, 0);
  let reportedCallTimeouts = 0;
  new Counter({
    name: `${prefix}rpc_call_timeouts_total`,
    help: "eth_call and eth_estimateGas runs stopped by the wall-clock timeout (rpc.call.timeoutMs).",
    registers: [registry],
    collect() {
      const total = api.metrics().callTimeouts ?? 0;
      if (total > reportedCallTimeouts) this.inc(total - reportedCallTimeouts);
      reportedCallTimeouts = total;
    },
  });
  new Gauge({
    name: `${prefix}rpc_worker_heap_bytes`,
    help: "V8 heap held by the worker threads running eth_call, eth_estimateGas, eth_createAccessList and debug_traceTransaction (as each reported after its last job).",
    registers: [registry],
    collect() {
      this.set(api.metrics().stateWorkerHeapBytes ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}state_cache_bytes`,
    help: "Keys and values held by the bounded state caches: committed trie nodes (trie) and flat-state reads (flat).",
    labelNames: ["cache"],
    registers: [registry],
    collect() {
      const bytes = api.metrics().stateCacheBytes;
      this.set({ cache: "trie" }, bytes?.trie ?? 0);
      this.set({ cache: "flat" }, bytes?.flat ?? 0);
    },
  });
  let reportedDbCheckFailures = 0;
  new Counter({
    name: `${prefix}chain_db_check_failures_total`,
    help: "Damage found in the chain database (missing blocks or parts, undecodable records); the node is not ready after one.",
    registers: [registry],
    collect() {
      const total = api.metrics().dbCheckFailures ?? 0;
      if (total > reportedDbCheckFailures) this.inc(total - reportedDbCheckFailures);
      reportedDbCheckFailures = total;
    },
  });
  // Registered at the first scrape that finds consensus, so a single node shows none.
  let consensusRegistered = false;
  const stop = api.onBlockExecuted((event) => blockExecution.observe(event.seconds));
  return {
    registry,
    async exposition() {
      const snapshot = api.metrics();
      if (!consensusRegistered && snapshot.consensus !== undefined) {
        registerConsensusMetrics(registry, prefix, api);
        consensusRegistered = true;
      }
      const counters = snapshot.counters ?? [];
      return (await registry.metrics()) + formatCounterSeries(prefix, counters);
    },
    observer: {
      request(method, seconds, errorCode) {
        rpcDuration.observe({ method }, seconds);
        if (errorCode !== undefined) rpcErrors.inc({ code: String(errorCode) });
      },
    },
    subscriptionsChanged(kind, delta) {
      subscriptions.inc({ type: kind }, delta);
    },
    filtersChanged(kind, delta) {
      filters.inc({ kind }, delta);
    },
    close: stop,
  };
}
