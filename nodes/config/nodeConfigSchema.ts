import Type, { type Static, type TSchema } from "typebox";

// Each leaf carries `x-reason`, the one phrase a validation error shows for it
// ("rpc.port: must be an integer 1..65535"), so messages are exact and written once.

function integer(minimum: number, maximum: number, value: number, description: string) {
  return Type.Integer({
    minimum,
    maximum,
    default: value,
    description,
    "x-reason": `must be an integer ${minimum}..${maximum}`,
  });
}

function flag(value: boolean, description: string) {
  return Type.Boolean({ default: value, description, "x-reason": "must be true or false" });
}

function path(description: string) {
  return Type.String({ minLength: 1, description, "x-reason": "must be a non-empty path" });
}

function section<T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) {
  return Type.Object(properties, { additionalProperties: false, default: {}, description });
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Origins allowed by CORS: scheme, host and optional port, nothing else. */
const ORIGIN_PATTERN = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$";

/** A libp2p bootnode: an IP or DNS address, a TCP port and the peer id it must prove. */
const BOOTNODE_PATTERN =
  "^/(ip4|ip6|dns|dns4|dns6)/[^/]+/tcp/[0-9]{1,5}/p2p/[1-9A-HJ-NP-Za-km-z]+$";

/** Log levels of pino, plus `silent`. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * The node configuration schema (TypeBox / JSON Schema). Unknown fields are rejected at every
 * level so a misspelt field fails loudly instead of silently keeping its default.
 */
export const nodeConfigSchema = Type.Object(
  {
    dataDir: Type.Optional(
      path("Node database directory; relative to the config file; required unless dev."),
    ),
    dev: flag(
      false,
      "Development mode: a generated chain (see devChain) whose validator keys this one node holds, so it seals every block alone.",
    ),
    devChain: section(
      {
        hospitals: integer(
          1,
          64,
          4,
          "Hospitals in the dev genesis (each: funded admin account and recorder, a validator).",
        ),
        chainId: integer(1, 2 ** 32 - 1, 4242, "Chain id of the dev chain."),
        gasLimit: integer(
          5_000_000,
          MAX_SAFE,
          30_000_000,
          "Block gas limit of the dev chain (30 M: a full block executes in under half of a 1 s period here; docs/node.md).",
        ),
        blockPeriodSeconds: integer(1, 3600, 1, "Seconds between blocks of the dev chain."),
      },
      "The chain a dev node generates on its first start (ignored unless dev; a genesis file sets these for a real chain).",
    ),
    chain: section(
      {
        genesisFile: Type.Optional(
          path("Genesis JSON of the chain; required unless dev. Relative to the config file."),
        ),
      },
      "The chain the node joins.",
    ),
    validator: Type.Optional(
      Type.Object(
        {
          keyFile: Type.String({
            minLength: 1,
            description:
              "Path of the validator's key file (never the key itself); relative to the config file.",
            "x-reason": "must be a non-empty path",
          }),
        },
        {
          additionalProperties: false,
          description: "Block production; omit on a node that does not validate.",
        },
      ),
    ),
    portal: Type.Optional(
      Type.Object(
        {
          relayerKeyFile: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                "Path of the key file of the member account that relays patients' signed consent changes from the portal (never the key itself); relative to the config file. Omit and the portal shows consents but changes none.",
              "x-reason": "must be a non-empty path",
            }),
          ),
          dataServiceConnectionFile: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                "Path of the connection file the hospital's data service writes at start (`<its dataDir>/connection.json`: URL, hospital id, staff token); relative to the config file. The node reads it on each request to serve its records' accounting of disclosures; omit and that accounting is not served here.",
              "x-reason": "must be a non-empty path",
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "The patient portal: its consent relay and the hospital's data service that keeps the accounting of disclosures.",
        },
      ),
    ),
    observer: flag(
      false,
      "Follow and verify the network's chain and serve it without voting (a regulator's copy); needs p2p and no validator.",
    ),
    p2p: section(
      {
        enabled: flag(
          false,
          "Join a network of hospital nodes over libp2p (TCP, noise, yamux); off for a dev chain.",
        ),
        host: Type.String({
          minLength: 1,
          default: "127.0.0.1",
          description:
            "IP address the p2p endpoint listens on (0.0.0.0 for every interface; peers must be able to reach it).",
          "x-reason": "must be a non-empty IP address",
        }),
        port: integer(0, 65535, 30303, "TCP port of the p2p endpoint; 0 picks a free port."),
        announcePort: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 65535,
            description:
              "Port peers dial this node back on, when it differs from p2p.port (NAT, a forwarding proxy); 0: peers do not dial it back. Default: p2p.port.",
            "x-reason": "must be an integer 0..65535",
          }),
        ),
        bootnodes: Type.Array(
          Type.String({
            pattern: BOOTNODE_PATTERN,
            "x-reason": "must be a multiaddr like /ip4/10.0.0.2/tcp/30303/p2p/16Uiu2…",
          }),
          {
            default: [],
            maxItems: 256,
            description: "Peers dialled at start and re-dialled after a disconnect.",
            "x-reason": "must be a list of at most 256 multiaddrs",
          },
        ),
        keyFile: Type.Optional(
          path(
            "Node key of a node without a validator key (an observer): its p2p identity; relative to the config file. A validator's node key is its validator key.",
          ),
        ),
        maxPeers: integer(1, 1000, 64, "Most connected peers."),
      },
      "Peer-to-peer network (consensus messages, transactions, block sync).",
    ),
    consensus: section(
      {
        roundTimeoutMs: integer(
          100,
          600_000,
          2_000,
          "Base round timeout: round r waits roundTimeoutMs × min(2^r, roundTimeoutMaxFactor), after the block period at round 0.",
        ),
        roundTimeoutMaxFactor: integer(
          1,
          1024,
          8,
          "Cap of the round timeout's growth (Besu's 2^r reached 4,096 s, besu#7642).",
        ),
      },
      "QBFT consensus.",
    ),
    execution: section(
      {
        accelerate: flag(
          true,
          "Execute ConsentRegistry's grant, revoke and batchGrant natively instead of on the EVM interpreter, with the same effects and gas, in blocks built and replayed (decision 014); false (`--no-accelerate`): everything on the interpreter. Blocks are the same either way.",
        ),
      },
      "Block execution.",
    ),
    rpc: section(
      {
        host: Type.String({
          minLength: 1,
          default: "127.0.0.1",
          description: "Interface the JSON-RPC server listens on.",
          "x-reason": "must be a non-empty host name or address",
        }),
        port: integer(
          0,
          65535,
          8545,
          "TCP port of the JSON-RPC server (HTTP and WebSocket); 0 picks a free port.",
        ),
        cors: Type.Array(
          Type.String({
            pattern: ORIGIN_PATTERN,
            "x-reason":
              "must be an origin like https://research.example.org (no wildcard, no path)",
          }),
          {
            default: [],
            maxItems: 100,
            description: "Browser origins allowed by CORS; empty allows none.",
            "x-reason": "must be a list of at most 100 origins",
          },
        ),
        maxBodyBytes: integer(1024, 128 * 1024 * 1024, 5 * 1024 * 1024, "Largest request body."),
        maxBatch: integer(1, 10_000, 100, "Most calls in one JSON-RPC batch."),
        maxBatchResponseBytes: integer(
          1024,
          1024 * 1024 * 1024,
          25_000_000,
          "Once a batch's answers pass this many bytes, its remaining calls get -32005 (geth's --rpc.batch-response-max-size).",
        ),
        getLogs: section(
          {
            maxBlockRange: integer(1, MAX_SAFE, 10_000, "Most blocks one eth_getLogs may span."),
            maxResults: integer(1, MAX_SAFE, 10_000, "Most logs one eth_getLogs may return."),
          },
          "Limits of eth_getLogs.",
        ),
        call: section(
          {
            gasCap: integer(
              21_000,
              MAX_SAFE,
              50_000_000,
              "Most gas one eth_call or eth_estimateGas may use, whatever it asks (geth's --rpc.gascap).",
            ),
            timeoutMs: integer(
              1,
              600_000,
              5_000,
              "Wall-clock limit of one eth_call or eth_estimateGas from its arrival (geth's --rpc.evmtimeout); then RPC_CALL_TIMEOUT.",
            ),
            workers: integer(
              1,
              64,
              2,
              "Worker threads running eth_call and eth_estimateGas, off the thread that produces blocks.",
            ),
            niceness: integer(
              0,
              19,
              5,
              "Nice value (Linux) of the threads running calls, traces and access lists: 5 lets block production and /liveness go first (CFS weight 1024 to 335) without starving calls when other processes load the host; 19 yields to everything; 0 keeps the node's priority.",
            ),
          },
          "eth_call and eth_estimateGas execution.",
        ),
        ws: section(
          {
            enabled: flag(true, "Serve JSON-RPC over WebSocket (needed for subscriptions)."),
            maxConnections: integer(1, 100_000, 100, "Most concurrent WebSocket connections."),
            maxSubscriptions: integer(1, 100_000, 100, "Most subscriptions per connection."),
          },
          "WebSocket transport.",
        ),
        filters: section(
          {
            max: integer(
              1,
              1_000_000,
              10_000,
              "Most polling filters installed, all clients together.",
            ),
            maxPerClient: integer(
              1,
              100_000,
              100,
              "Most polling filters one client (remote address) may have installed.",
            ),
            idleTimeoutSeconds: integer(
              1,
              86_400,
              300,
              "A polling filter not polled for this long is uninstalled (geth: 5 minutes).",
            ),
          },
          "Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter).",
        ),
      },
      "JSON-RPC endpoint.",
    ),
    txpool: section(
      {
        maxCount: integer(1, 1_000_000, 4096, "Most transactions in the pool."),
        maxBytes: integer(1024, 4 * 1024 * 1024 * 1024, 32 * 1024 * 1024, "Most pooled bytes."),
        maxPerSender: integer(1, 10_000, 64, "Most transactions (and nonce lead) per sender."),
        maxQueued: integer(1, 1_000_000, 1024, "Most future-nonce (queued) transactions."),
        queuedLifetimeSeconds: integer(
          1,
          30 * 24 * 3600,
          3 * 3600,
          "How long a queued transaction may wait for its nonce gap to close.",
        ),
        priceBumpPercent: integer(0, 1000, 10, "Fee increase a same-nonce replacement needs."),
        minTipWei: integer(0, MAX_SAFE, 0, "Smallest accepted tip per gas (gasPrice for legacy)."),
        maxTxBytes: integer(1024, 4 * 1024 * 1024, 128 * 1024, "Largest accepted transaction."),
        allowUnprotected: flag(false, "Accept legacy transactions without EIP-155 protection."),
      },
      "Transaction pool.",
    ),
    log: section(
      {
        level: Type.Enum([...logLevels], {
          default: "info",
          description: "Least severe level written.",
          "x-reason": `must be one of ${logLevels.join(", ")}`,
        }),
        pretty: flag(
          false,
          "Human-readable lines instead of JSON (for a terminal, not for files).",
        ),
      },
      "Logging.",
    ),
    metrics: section(
      { enabled: flag(true, "Serve Prometheus metrics at /metrics.") },
      "Prometheus metrics.",
    ),
  },
  { additionalProperties: false },
);

/** A type with every nested property and array read-only. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A validated, defaulted node configuration (as returned by `loadConfig`, deep-frozen). */
export type NodeConfig = DeepReadonly<Static<typeof nodeConfigSchema>>;

/** Dotted paths of the fields holding file-system paths, resolved against the config file. */
export const configPathFields = [
  "dataDir",
  "chain.genesisFile",
  "portal.relayerKeyFile",
  "portal.dataServiceConnectionFile",
  "validator.keyFile",
  "p2p.keyFile",
] as const;

/** The schema node of a leaf type, for callers walking the schema (flags, docs). */
export type ConfigSchemaNode = TSchema & {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, ConfigSchemaNode>>;
  readonly items?: ConfigSchemaNode;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
  readonly "x-reason"?: string;
};
