import { describe, expect, it } from "vitest";
import {
  type ConfigOverride,
  type ConfigProblem,
  resolveConfig,
} from "../../../nodes/config/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";

const where = { baseDir: "/etc/custos", cwd: "/home/op" };
const minimal = { dataDir: "data", chain: { genesisFile: "genesis.json" } };

/** An override as the CLI makes it from a flag. */
const fromFlag = (source: string, path: string, value: unknown): ConfigOverride => ({
  path,
  value,
  source,
});

function problemsOf(document: unknown, overrides: readonly ConfigOverride[] = []): ConfigProblem[] {
  try {
    resolveConfig(document, { ...where, overrides });
  } catch (error) {
    if (isCustosError(error, "CONFIG_INVALID")) return error.details.problems as ConfigProblem[];
    throw error;
  }
  return [];
}

function messageOf(document: unknown, overrides: readonly ConfigOverride[] = []): string {
  try {
    resolveConfig(document, { ...where, overrides });
  } catch (error) {
    if (isCustosError(error, "CONFIG_INVALID")) return error.shortMessage;
    throw error;
  }
  return "";
}

describe("resolveConfig defaults", () => {
  it("fills every default and resolves relative paths against the config directory", () => {
    const config = resolveConfig(minimal, where);
    expect(config).toEqual({
      dataDir: "/etc/custos/data",
      dev: false,
      devChain: { hospitals: 4, chainId: 4242, gasLimit: 30_000_000, blockPeriodSeconds: 1 },
      chain: { genesisFile: "/etc/custos/genesis.json" },
      observer: false,
      p2p: { enabled: false, host: "127.0.0.1", port: 30303, bootnodes: [], maxPeers: 64 },
      consensus: { roundTimeoutMs: 2_000, roundTimeoutMaxFactor: 8 },
      execution: { accelerate: true },
      rpc: {
        host: "127.0.0.1",
        port: 8545,
        cors: [],
        maxBodyBytes: 5 * 1024 * 1024,
        maxBatch: 100,
        maxBatchResponseBytes: 25_000_000,
        getLogs: { maxBlockRange: 10_000, maxResults: 10_000 },
        call: { gasCap: 50_000_000, timeoutMs: 5_000, workers: 2, niceness: 5 },
        ws: { enabled: true, maxConnections: 100, maxSubscriptions: 100 },
        filters: { max: 10_000, maxPerClient: 100, idleTimeoutSeconds: 300 },
      },
      txpool: {
        maxCount: 4096,
        maxBytes: 32 * 1024 * 1024,
        maxPerSender: 64,
        maxQueued: 1024,
        queuedLifetimeSeconds: 10_800,
        priceBumpPercent: 10,
        minTipWei: 0,
        maxTxBytes: 131_072,
        allowUnprotected: false,
      },
      log: { level: "info", pretty: false },
      metrics: { enabled: true },
    });
  });

  it("keeps absolute paths and resolves the validator key file", () => {
    const config = resolveConfig(
      { ...minimal, dataDir: "/var/lib/custos", validator: { keyFile: "keys/validator.key" } },
      where,
    );
    expect(config.dataDir).toBe("/var/lib/custos");
    expect(config.validator?.keyFile).toBe("/etc/custos/keys/validator.key");
  });

  it("does not mutate the input document", () => {
    const document = structuredClone(minimal);
    resolveConfig(document, where);
    expect(document).toEqual(minimal);
  });
});

describe("resolveConfig freezing", () => {
  it("deep-freezes the result, arrays included", () => {
    const config = resolveConfig({ ...minimal, rpc: { cors: ["https://a.example.org"] } }, where);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.rpc)).toBe(true);
    expect(Object.isFrozen(config.rpc.getLogs)).toBe(true);
    expect(Object.isFrozen(config.rpc.cors)).toBe(true);
    expect(() => {
      (config.rpc as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.rpc.cors as string[]).push("https://b.example.org");
    }).toThrow(TypeError);
  });

  it("gives each load its own defaults (freezing one does not affect the next)", () => {
    const first = resolveConfig(minimal, where);
    const second = resolveConfig({ ...minimal, rpc: { cors: [] } }, where);
    expect(first.rpc.cors).not.toBe(second.rpc.cors);
    expect(resolveConfig(minimal, where).rpc.cors).toEqual([]);
  });
});

describe("resolveConfig validation", () => {
  it("names the field and reason for an out-of-range port", () => {
    expect(messageOf({ ...minimal, rpc: { port: -1 } })).toBe(
      "rpc.port: must be an integer 0..65535",
    );
    expect(resolveConfig({ ...minimal, rpc: { port: 0 } }, where).rpc.port).toBe(0);
    expect(messageOf({ ...minimal, rpc: { port: 70000 } })).toBe(
      "rpc.port: must be an integer 0..65535",
    );
    expect(messageOf({ ...minimal, rpc: { port: 80.5 } })).toBe(
      "rpc.port: must be an integer 0..65535",
    );
    expect(messageOf({ ...minimal, rpc: { port: "8545" } })).toBe(
      "rpc.port: must be an integer 0..65535",
    );
  });

  it("rejects unknown fields at any depth with their path (typo protection)", () => {
    expect(problemsOf({ ...minimal, datadir: "x" })).toEqual([
      { field: "datadir", reason: "unknown field" },
    ]);
    expect(problemsOf({ ...minimal, rpc: { prot: 1 } })).toEqual([
      { field: "rpc.prot", reason: "unknown field" },
    ]);
    expect(problemsOf({ ...minimal, rpc: { getLogs: { maxRange: 1 } } })).toEqual([
      { field: "rpc.getLogs.maxRange", reason: "unknown field" },
    ]);
    expect(problemsOf({ ...minimal, validator: { keyFile: "k", key: "0x00" } })).toEqual([
      { field: "validator.key", reason: "unknown field" },
    ]);
  });

  it("requires dataDir unless dev", () => {
    expect(problemsOf({ chain: { genesisFile: "g.json" } })).toEqual([
      { field: "dataDir", reason: "required unless dev is true" },
    ]);
    expect(resolveConfig({ dev: true }, where).dataDir).toBeUndefined();
    expect(messageOf({ ...minimal, dataDir: "" })).toBe("dataDir: must be a non-empty path");
  });

  it("requires chain.genesisFile unless dev", () => {
    expect(messageOf({ dataDir: "d" })).toBe("chain.genesisFile: required unless dev is true");
    expect(resolveConfig({ dataDir: "d", dev: true }, where).chain).toEqual({});
  });

  it("requires validator.keyFile when a validator section is present", () => {
    expect(problemsOf({ ...minimal, validator: {} })).toEqual([
      { field: "validator.keyFile", reason: "required" },
    ]);
  });

  it("refuses a private key pasted where the key file path belongs", () => {
    expect(messageOf({ ...minimal, validator: { keyFile: `0x${"ab".repeat(32)}` } })).toBe(
      "validator.keyFile: must be the path of a key file, not the key itself",
    );
  });

  it("keeps observers, validators and dev chains apart", () => {
    const p2p = { enabled: true, keyFile: "node.key" };
    expect(resolveConfig({ ...minimal, observer: true, p2p }, where).observer).toBe(true);
    expect(problemsOf({ ...minimal, observer: true, p2p, validator: { keyFile: "k" } })).toEqual([
      { field: "observer", reason: "an observer has no validator key" },
    ]);
    expect(problemsOf({ ...minimal, observer: true })).toEqual([
      { field: "observer", reason: "an observer needs p2p.enabled" },
    ]);
    expect(problemsOf({ dev: true, p2p })).toEqual([
      { field: "p2p.enabled", reason: "a dev chain is a single node" },
    ]);
    expect(problemsOf({ ...minimal, p2p: { enabled: true } })).toEqual([
      { field: "p2p.keyFile", reason: "required for p2p without a validator key" },
    ]);
    expect(messageOf({ ...minimal, p2p: { keyFile: `0x${"ab".repeat(32)}` } })).toBe(
      "p2p.keyFile: must be the path of a key file, not the key itself",
    );
    expect(resolveConfig({ ...minimal, p2p: { keyFile: "node.key" } }, where).p2p.keyFile).toBe(
      "/etc/custos/node.key",
    );
  });

  it("accepts bootnodes only as multiaddrs that name the peer", () => {
    const bootnode = "/ip4/10.0.0.2/tcp/30303/p2p/16Uiu2HAmQ7XhRn2W6hyrq8t3pWJm1qYvvf9L4s1gKQ3iA";
    expect(
      resolveConfig({ ...minimal, p2p: { bootnodes: [bootnode] } }, where).p2p.bootnodes,
    ).toEqual([bootnode]);
    for (const bad of [
      "/ip4/10.0.0.2/tcp/30303",
      "10.0.0.2:30303",
      "/ip4/10.0.0.2/tcp/30303/p2p/0OIl",
    ]) {
      expect(messageOf({ ...minimal, p2p: { bootnodes: [bad] } })).toBe(
        "p2p.bootnodes[0]: must be a multiaddr like /ip4/10.0.0.2/tcp/30303/p2p/16Uiu2…",
      );
    }
  });

  it("accepts only explicit CORS origins", () => {
    expect(
      resolveConfig({ ...minimal, rpc: { cors: ["http://localhost:3000"] } }, where).rpc.cors,
    ).toEqual(["http://localhost:3000"]);
    for (const origin of ["*", "https://a.org/path", "ftp://a.org", ""]) {
      expect(problemsOf({ ...minimal, rpc: { cors: ["https://ok.org", origin] } })).toEqual([
        {
          field: "rpc.cors[1]",
          reason: "must be an origin like https://research.example.org (no wildcard, no path)",
        },
      ]);
    }
    expect(messageOf({ ...minimal, rpc: { cors: "https://a.org" } })).toBe(
      "rpc.cors: must be a list of at most 100 origins",
    );
  });

  it("checks every numeric limit's range", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ rpc: { maxBodyBytes: 10 } }, "rpc.maxBodyBytes: must be an integer 1024..134217728"],
      [{ rpc: { maxBatch: 0 } }, "rpc.maxBatch: must be an integer 1..10000"],
      [
        { rpc: { getLogs: { maxBlockRange: 0 } } },
        "rpc.getLogs.maxBlockRange: must be an integer 1..9007199254740991",
      ],
      [
        { rpc: { getLogs: { maxResults: -1 } } },
        "rpc.getLogs.maxResults: must be an integer 1..9007199254740991",
      ],
      [
        { rpc: { ws: { maxConnections: 0 } } },
        "rpc.ws.maxConnections: must be an integer 1..100000",
      ],
      [
        { devChain: { blockPeriodSeconds: 0 } },
        "devChain.blockPeriodSeconds: must be an integer 1..3600",
      ],
      [{ devChain: { hospitals: 65 } }, "devChain.hospitals: must be an integer 1..64"],
      [{ rpc: { port: 65536 } }, "rpc.port: must be an integer 0..65535"],
      [{ txpool: { maxCount: 0 } }, "txpool.maxCount: must be an integer 1..1000000"],
      [{ txpool: { priceBumpPercent: -1 } }, "txpool.priceBumpPercent: must be an integer 0..1000"],
      [
        { txpool: { queuedLifetimeSeconds: 0 } },
        "txpool.queuedLifetimeSeconds: must be an integer 1..2592000",
      ],
    ];
    for (const [patch, message] of cases) expect(messageOf({ ...minimal, ...patch })).toBe(message);
  });

  it("checks booleans, strings and the log level", () => {
    expect(messageOf({ ...minimal, dev: "yes" })).toBe("dev: must be true or false");
    expect(messageOf({ ...minimal, rpc: { host: "" } })).toBe(
      "rpc.host: must be a non-empty host name or address",
    );
    expect(messageOf({ ...minimal, log: { level: "verbose" } })).toBe(
      "log.level: must be one of fatal, error, warn, info, debug, trace, silent",
    );
    expect(messageOf({ ...minimal, metrics: { enabled: 1 } })).toBe(
      "metrics.enabled: must be true or false",
    );
  });

  it("reports every failing field at once, the first in details", () => {
    try {
      resolveConfig({ ...minimal, rpc: { port: -1, maxBatch: 0 }, bogus: 1 }, where);
      expect.unreachable();
    } catch (error) {
      expect(isCustosError(error, "CONFIG_INVALID")).toBe(true);
      if (!isCustosError(error)) return;
      expect(error.details.problems).toHaveLength(3);
      expect(error.shortMessage).toContain("bogus: unknown field");
      expect(error.shortMessage).toContain("rpc.port: must be an integer 0..65535");
      expect(error.shortMessage).toContain("rpc.maxBatch: must be an integer 1..10000");
    }
  });

  it("refuses a document that is not a JSON object", () => {
    for (const document of [null, [], "x", 3]) {
      expect(messageOf(document)).toBe("config: must be a JSON object");
    }
  });
});

describe("resolveConfig overrides", () => {
  it("applies flags over the document and resolves flag paths against the working directory", () => {
    const config = resolveConfig(minimal, {
      ...where,
      overrides: [
        fromFlag("--rpc-port", "rpc.port", 9545),
        fromFlag("--data-dir", "dataDir", "other"),
        fromFlag("--dev", "dev", true),
      ],
    });
    expect(config.rpc.port).toBe(9545);
    expect(config.dataDir).toBe("/home/op/other");
    expect(config.dev).toBe(true);
    expect(config.chain.genesisFile).toBe("/etc/custos/genesis.json");
  });

  it("names the flag when an override is invalid", () => {
    expect(messageOf(minimal, [fromFlag("--rpc-port", "rpc.port", "http")])).toBe(
      "rpc.port: must be an integer 0..65535 (from --rpc-port)",
    );
    expect(messageOf(minimal, [fromFlag("--rpc-port", "rpc.port", 65536)])).toBe(
      "rpc.port: must be an integer 0..65535 (from --rpc-port)",
    );
    expect(messageOf(minimal, [fromFlag("--dev", "dev", "maybe")])).toBe(
      "dev: must be true or false (from --dev)",
    );
  });

  it("creates missing sections for nested flags", () => {
    const config = resolveConfig(minimal, {
      ...where,
      overrides: [
        fromFlag("--validator-key-file", "validator.keyFile", "/keys/v.key"),
        fromFlag("--rpc-get-logs-max-results", "rpc.getLogs.maxResults", 5),
      ],
    });
    expect(config.validator?.keyFile).toBe("/keys/v.key");
    expect(config.rpc.getLogs.maxResults).toBe(5);
  });
});
