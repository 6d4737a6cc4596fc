/**
 * Hardhat's EDR node (`hardhat node`) as a benchmark chain: its own process, the run's chain
 * id, accounts and block gas limit, Cancun (the contracts' evmVersion, as on the Custos node),
 * either automine (a block per transaction, Hardhat's default) or interval mining.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_GENESIS_DEPLOYER } from "../../nodes/chain/index.ts";
import { type BenchChain, type ChainSetup, startedChain } from "./benchChain.ts";
import { spawnChild } from "./childProcesses.ts";
import { createJsonRpc } from "./jsonRpc.ts";
import { replicateGenesisContracts } from "./replicateGenesisContracts.ts";

/** What edrHardhat.config.ts reads from CUSTOS_BENCH_EDR. */
export interface EdrBenchSettings {
  /** Directory for Hardhat's artifacts and cache. */
  readonly dir: string;
  readonly chainId: number;
  readonly blockGasLimit: number;
  readonly accounts: readonly { readonly privateKey: string; readonly balance: string }[];
  /** Interval mining period; automine when absent. */
  readonly intervalMs?: number;
}

/** Options of {@link startEdrChain}. */
export interface EdrChainOptions {
  readonly setup: ChainSetup;
  /** Temporary directory of this chain. */
  readonly dir: string;
  readonly blockGasLimit: number;
  /** Balance of every funded account, wei. */
  readonly balance: string;
  readonly intervalMs?: number;
  readonly rpcTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly echo: boolean;
}

/** Hardhat's CLI script: its package `bin`, which the package's exports do not expose. */
function hardhatCli(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("hardhat/package.json");
  const { bin } = require(manifest) as { bin: { hardhat: string } };
  return join(dirname(manifest), bin.hardhat);
}
const configFile = fileURLToPath(new URL("./edrHardhat.config.ts", import.meta.url));

/**
 * Starts `hardhat node` on an ephemeral 127.0.0.1 port and deploys the contracts at the
 * setup's addresses. Per-request logging is switched off: `hardhat node` logs every call to
 * its terminal, which under load costs more than the calls (the Custos node and Ganache run
 * without request logs too).
 *
 * @example
 * ```ts
 * const edr = await startEdrChain({ setup, dir, blockGasLimit: 1e9, balance, intervalMs: 1000, ... });
 * ```
 */
export async function startEdrChain(options: EdrChainOptions): Promise<BenchChain> {
  const settings: EdrBenchSettings = {
    dir: options.dir,
    chainId: options.setup.chainId,
    blockGasLimit: options.blockGasLimit,
    accounts: [
      ...options.setup.hospitals.flatMap((h) => [h.account, h.recorder]),
      options.setup.regulator,
      options.setup.researcher,
      options.setup.reviewBoard,
    ].map((k) => ({ privateKey: k.privateKey, balance: options.balance })),
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
  };
  const name = options.intervalMs === undefined ? "edr-automine" : "edr-interval";
  const child = spawnChild(
    name,
    [
      hardhatCli(),
      "--config",
      configFile,
      "node",
      "--network",
      "bench",
      "--hostname",
      "127.0.0.1",
      "--port",
      "0",
    ],
    {
      env: { ...process.env, CUSTOS_BENCH_EDR: JSON.stringify(settings) },
      echo: options.echo,
    },
  );
  return startedChain(child, async () => {
    const [, url] = await child.waitForLine(
      /JSON-RPC server at (http:\/\/127\.0\.0\.1:\d+)\/?/,
      options.startTimeoutMs,
    );
    const rpc = createJsonRpc(url as string, options.rpcTimeoutMs);
    await rpc.call("hardhat_setLoggingEnabled", [false]);
    await rpc.call("hardhat_impersonateAccount", [DEFAULT_GENESIS_DEPLOYER]);
    await rpc.call("hardhat_setBalance", [
      DEFAULT_GENESIS_DEPLOYER,
      `0x${BigInt(options.balance).toString(16)}`,
    ]);
    await replicateGenesisContracts(rpc.url, options.setup);
    const mining =
      options.intervalMs === undefined
        ? "automine (one block per transaction, mined inside eth_sendRawTransaction)"
        : `interval mining every ${options.intervalMs} ms, automine off, fifo mempool`;
    return {
      name,
      configuration:
        `hardhat node (EDR), hardfork cancun, chain id ${options.setup.chainId}, block gas limit ` +
        `${options.blockGasLimit}, ${mining}, request logging off`,
      rpc,
    };
  });
}
