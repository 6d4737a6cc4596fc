/** Resource limits of the RPC server, each answered with a clear error when exceeded. */
export interface RpcLimits {
  /** Largest HTTP request body in bytes; larger bodies get HTTP 413 with error -32005. */
  readonly maxBodyBytes: number;
  /** Largest batch; a larger batch gets one error -32005 and nothing runs. */
  readonly maxBatchSize: number;
  /** Once a batch's answers pass this many bytes, its remaining requests get -32005. */
  readonly maxBatchResponseBytes: number;
  /** Widest eth_getLogs block range (toBlock - fromBlock + 1). */
  readonly maxLogBlockRange: number;
  /** Most logs one eth_getLogs may return. */
  readonly maxLogResults: number;
  /** Most blocks one eth_feeHistory may span (geth: 1024). */
  readonly maxFeeHistoryBlocks: number;
  /** Most reward percentiles one eth_feeHistory may ask for. */
  readonly maxFeeHistoryPercentiles: number;
  /** Most live subscriptions per WebSocket connection. */
  readonly maxSubscriptionsPerConnection: number;
  /** Largest WebSocket message in bytes; larger ones close the connection (1009). */
  readonly maxWsMessageBytes: number;
  /** A WebSocket whose unsent output exceeds this is closed (slow consumer). */
  readonly maxWsBufferedBytes: number;
  /** Most addresses in one log filter. */
  readonly maxLogFilterAddresses: number;
  /** Most polling filters (eth_newFilter and the like) installed at once, all clients together. */
  readonly maxFilters: number;
  /**
   * Most polling filters one client may have installed. A client is the remote address of
   * the HTTP request or WebSocket connection (`X-Forwarded-For` is not trusted): behind a
   * reverse proxy all clients share the proxy's address, and this cap.
   */
  readonly maxFiltersPerClient: number;
  /**
   * Most addresses and topic hashes held by all installed log filters together: with the
   * count caps it bounds the memory filters hold.
   */
  readonly maxFilterCriteria: number;
  /** A filter not polled for this long is uninstalled (geth: 5 minutes). */
  readonly filterIdleMs: number;
}

/** Options of {@link createRpcServer}. */
export interface RpcServerOptions {
  readonly limits: RpcLimits;
  /**
   * Origins allowed by CORS and for browser WebSocket upgrades; empty turns CORS off (no
   * browser page may call the node), `"*"` allows any origin.
   */
  readonly corsOrigins: readonly string[];
  /** JSON-RPC over WebSocket (needed for subscriptions) and its connection cap. */
  readonly websocket: {
    readonly enabled: boolean;
    /** Upgrades beyond this many open connections are refused with HTTP 503. */
    readonly maxConnections: number;
  };
  /** Serve Prometheus metrics at `/metrics` (404 when off). */
  readonly metricsEnabled: boolean;
  /** Collect prom-client's process metrics (CPU, memory, event loop) too. */
  readonly processMetrics: boolean;
  /** Prefix of every metric name. */
  readonly metricsPrefix: string;
}

/**
 * Defaults: geth-like body and batch limits, a 10,000-block / 10,000-log eth_getLogs cap
 * (the cap besu#4563 asked for), CORS off.
 *
 * @example
 * ```ts
 * const options = { ...defaultRpcServerOptions, corsOrigins: ["https://audit.example"] };
 * ```
 */
export const defaultRpcServerOptions: RpcServerOptions = {
  limits: {
    maxBodyBytes: 5 * 1024 * 1024,
    maxBatchSize: 100,
    maxBatchResponseBytes: 25_000_000,
    maxLogBlockRange: 10_000,
    maxLogResults: 10_000,
    maxFeeHistoryBlocks: 1024,
    maxFeeHistoryPercentiles: 100,
    maxSubscriptionsPerConnection: 128,
    maxWsMessageBytes: 5 * 1024 * 1024,
    maxWsBufferedBytes: 16 * 1024 * 1024,
    maxLogFilterAddresses: 1_000,
    maxFilters: 10_000,
    maxFiltersPerClient: 100,
    maxFilterCriteria: 100_000,
    filterIdleMs: 5 * 60 * 1000,
  },
  corsOrigins: [],
  websocket: { enabled: true, maxConnections: 100 },
  metricsEnabled: true,
  processMetrics: true,
  metricsPrefix: "custos_",
};
