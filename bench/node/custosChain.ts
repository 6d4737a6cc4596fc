/**
 * The Custos node as a benchmark chain: `custos node --dev` (solo validator, 1 s block
 * period) in its own process on an ephemeral port, its accounts and contract addresses read
 * from the dev keys file it writes. Restarting with `--reindex` on the same data directory
 * replays every stored block from genesis.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevKeysFile, devChainFiles } from "../../nodes/node/index.ts";
import { type BenchChain, type ChainSetup, startedChain } from "./benchChain.ts";
import { BENCH_NODE_LIMITS } from "./benchSettings.ts";
import { spawnChild } from "./childProcesses.ts";
import { createJsonRpc } from "./jsonRpc.ts";

/** Node settings the benchmark changes from the defaults (written as the `--config` file). */
export interface CustosBenchConfig {
  readonly dataDir: string;
  readonly hospitals: number;
  readonly blockGasLimit: number;
  /** The node's log level (`debug` shows every block's size and execution time). */
  readonly logLevel: string;
}

/** Options of {@link startCustosChain}. */
export interface CustosChainOptions {
  readonly configFile: string;
  readonly dataDir: string;
  /** Replay the stored chain from genesis before serving. */
  readonly reindex: boolean;
  readonly rpcTimeoutMs: number;
  /** For a reindex this covers the whole replay. */
  readonly startTimeoutMs: number;
  readonly echo: boolean;
}

/** What `--reindex` reported. */
export interface Reindexed {
  readonly blocks: number;
  readonly txs: number;
  readonly seconds: number;
}

/** The running Custos node. */
export interface CustosChain extends BenchChain {
  readonly setup: ChainSetup;
  /** Set when started with `reindex`. */
  readonly reindexed?: Reindexed;
  /** The node's process id (for memory sampling). */
  readonly pid: number;
}

const cli = fileURLToPath(new URL("../../nodes/bin/custos.ts", import.meta.url));

/**
 * Writes the node config of the benchmark: dev chain with `hospitals` recorders and the block
 * gas limit shared with the other chains; pool and RPC limits raised so the load generator,
 * not a default cap, decides how much is in flight (16 lanes of batched sends from each
 * hospital would pass the default 64 pending per sender at once).
 */
export async function writeCustosConfig(
  file: string,
  config: CustosBenchConfig,
): Promise<Record<string, unknown>> {
  const json = {
    dev: true,
    dataDir: config.dataDir,
    ...BENCH_NODE_LIMITS,
    log: { level: config.logLevel },
    devChain: {
      hospitals: config.hospitals,
      gasLimit: config.blockGasLimit,
      blockPeriodSeconds: 1,
    },
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  return json;
}

/**
 * Starts the node and waits for its JSON-RPC line (and, with `reindex`, the replay report
 * printed before it).
 *
 * @throws Error if the node exits or does not report in time.
 * @example
 * ```ts
 * const custos = await startCustosChain({ configFile, dataDir, reindex: false, ... });
 * ```
 */
export async function startCustosChain(options: CustosChainOptions): Promise<CustosChain> {
  // As `npm run custos` starts it: a 64 MB young generation (decision 004: ~20 % faster
  // replay; docs/node.md).
  const args = [
    "--max-semi-space-size=64",
    "--min-semi-space-size=64",
    cli,
    "node",
    "--dev",
    "--config",
    options.configFile,
  ];
  args.push("--data-dir", options.dataDir, "--rpc-port", "0");
  if (options.reindex) args.push("--reindex");
  const child = spawnChild(options.reindex ? "custos-reindex" : "custos", args, {
    echo: options.echo,
  });
  const chain = await startedChain(child, async () => {
    let reindexed: Reindexed | undefined;
    if (options.reindex) {
      const [, blocks, txs, seconds] = await child.waitForLine(
        /reindexed (\d+) blocks \((\d+) transactions\) in ([\d.]+) s/,
        options.startTimeoutMs,
      );
      reindexed = { blocks: Number(blocks), txs: Number(txs), seconds: Number(seconds) };
    }
    const [, url] = await child.waitForLine(/^JSON-RPC\s+(http:\/\/\S+)$/, options.startTimeoutMs);
    const setup: ChainSetup = JSON.parse(
      await readFile(join(options.dataDir, devChainFiles.keys), "utf8"),
    ) as DevKeysFile;
    return {
      name: "custos",
      configuration:
        `custos node --dev: solo validator, 1 s block period, chain id ${setup.chainId}, ` +
        `${setup.hospitals.length} hospitals, contracts at genesis, node flag ` +
        "--max-semi-space-size=64 --min-semi-space-size=64 (see method.custosConfig)",
      rpc: createJsonRpc(url as string, options.rpcTimeoutMs),
      setup,
      ...(reindexed === undefined ? {} : { reindexed }),
    };
  });
  return {
    ...chain,
    pid: child.pid,
    stop: async () => {
      const code = await child.stop(60_000);
      // A replay after an unclean stop is still a replay: report it, do not abort the run.
      if (code !== 0) console.warn(`custos node exited with ${code}\n${child.recentOutput()}`);
    },
  };
}
