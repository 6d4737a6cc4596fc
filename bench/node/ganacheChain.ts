/**
 * Ganache as a benchmark chain: its own process (ganacheServer.ts), the run's chain id,
 * accounts and block gas limit, either instamine (Ganache's default: a transaction is mined
 * as it arrives) or a fixed block time.
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_GENESIS_DEPLOYER } from "../../nodes/chain/index.ts";
import { type BenchChain, type ChainSetup, startedChain } from "./benchChain.ts";
import { spawnChild } from "./childProcesses.ts";
import { createJsonRpc } from "./jsonRpc.ts";
import { replicateGenesisContracts } from "./replicateGenesisContracts.ts";

/** Options of {@link startGanacheChain}. */
export interface GanacheChainOptions {
  readonly setup: ChainSetup;
  /** Ganache's database directory for this chain. */
  readonly dir: string;
  readonly blockGasLimit: number;
  /** Balance of every funded account, wei. */
  readonly balance: string;
  /** Seconds between blocks; instamine when absent. */
  readonly blockTimeSeconds?: number;
  readonly rpcTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly echo: boolean;
}

const launcher = fileURLToPath(new URL("./ganacheServer.ts", import.meta.url));

/**
 * The newest hardfork Ganache 7.9.2 implements. The contracts are compiled for Cancun; the
 * benchmark's calls must not reach a Cancun-only opcode (MCOPY), which the receipts' status
 * checks would reveal.
 */
const GANACHE_HARDFORK = "shanghai";

/**
 * Starts Ganache on an ephemeral 127.0.0.1 port and deploys the contracts at the setup's
 * addresses (the genesis deployer is unlocked for that).
 *
 * @example
 * ```ts
 * const ganache = await startGanacheChain({ setup, dir, blockGasLimit: 1e9, balance, ... });
 * ```
 */
export async function startGanacheChain(options: GanacheChainOptions): Promise<BenchChain> {
  const balance = `0x${BigInt(options.balance).toString(16)}`;
  const ganacheOptions = {
    logging: { quiet: true },
    database: { dbPath: options.dir },
    chain: { chainId: options.setup.chainId, hardfork: GANACHE_HARDFORK },
    miner: {
      blockGasLimit: options.blockGasLimit,
      ...(options.blockTimeSeconds === undefined ? {} : { blockTime: options.blockTimeSeconds }),
    },
    wallet: {
      accounts: [
        ...options.setup.hospitals.flatMap((h) => [h.account, h.recorder]),
        options.setup.regulator,
        options.setup.researcher,
        options.setup.reviewBoard,
      ].map((k) => ({ secretKey: k.privateKey, balance })),
      unlockedAccounts: [DEFAULT_GENESIS_DEPLOYER],
    },
  };
  const name = options.blockTimeSeconds === undefined ? "ganache-instamine" : "ganache-interval";
  const child = spawnChild(name, [launcher, JSON.stringify(ganacheOptions)], {
    echo: options.echo,
  });
  return startedChain(child, async () => {
    const [, url] = await child.waitForLine(/^JSON-RPC\s+(http:\/\/\S+)$/, options.startTimeoutMs);
    const rpc = createJsonRpc(url as string, options.rpcTimeoutMs);
    await rpc.call("evm_setAccountBalance", [DEFAULT_GENESIS_DEPLOYER, balance]);
    await replicateGenesisContracts(rpc.url, options.setup);
    const mining =
      options.blockTimeSeconds === undefined
        ? "instamine eager (default: each transaction mined on arrival)"
        : `miner.blockTime ${options.blockTimeSeconds} s`;
    return {
      name,
      configuration:
        `ganache ${GANACHE_HARDFORK} (its newest hardfork), chain id ${options.setup.chainId}, ` +
        `block gas limit ${options.blockGasLimit}, ${mining}, logging quiet, HTTP through ` +
        "Ganache's Node fallback (no uWebSockets.js binary ships)",
      rpc,
    };
  });
}
