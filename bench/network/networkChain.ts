/**
 * A local Custos network as a benchmark chain: N validator processes on 127.0.0.1 started as
 * `custos network up` starts them, clients talking to hospital 0's JSON-RPC (transactions
 * reach the other proposers by gossip), CPU summed over every node process, and consensus
 * message counts read from each node's `/metrics`.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { DevGenesisKeys } from "../../nodes/chain/index.ts";
import {
  createLocalNetwork,
  findFreePortRange,
  type LocalNetwork,
  type LocalNodeProcess,
  startLocalNetwork,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import type { BenchChain, ChainSetup } from "../node/benchChain.ts";
import { BENCH_NODE_LIMITS } from "../node/benchSettings.ts";
import { procCpuSeconds } from "../node/childProcesses.ts";
import { createJsonRpc } from "../node/jsonRpc.ts";

/** Options of {@link startNetworkChain}. */
export interface NetworkChainOptions {
  readonly dir: string;
  readonly validators: number;
  readonly gasLimit: number;
  readonly rpcTimeoutMs: number;
  readonly logLevel: string;
}

/** Consensus counters summed over the nodes at one moment. */
export interface ConsensusTotals {
  /** Consensus messages sent (one per recipient), all types. */
  readonly messagesSent: number;
  /** Highest head among the nodes. */
  readonly height: number;
}

/** A running network under test. */
export interface NetworkChain extends BenchChain {
  readonly setup: ChainSetup;
  readonly network: LocalNetwork;
  readonly processes: readonly LocalNodeProcess[];
  /** CPU seconds of each node process so far. */
  cpuSecondsPerNode(): number[];
  consensusTotals(): Promise<ConsensusTotals>;
}

function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

/**
 * Generates a network of `validators` hospitals in `dir` and starts it; resolves once every
 * node serves and the first block is committed.
 *
 * @example
 * ```ts
 * const net = await startNetworkChain({ dir, validators: 4, gasLimit: 1e9, rpcTimeoutMs, logLevel: "warn" });
 * ```
 */
export async function startNetworkChain(options: NetworkChainOptions): Promise<NetworkChain> {
  const network = await createLocalNetwork({
    dir: options.dir,
    hospitals: options.validators,
    gasLimit: options.gasLimit,
    basePort: await findFreePortRange(options.validators),
    p2pBasePort: await findFreePortRange(options.validators),
  });
  // The limits bench:node gives its node.
  for (const node of network.nodes) {
    const config = JSON.parse(await readFile(node.configFile, "utf8"));
    config.txpool = BENCH_NODE_LIMITS.txpool;
    config.rpc = { ...config.rpc, ...BENCH_NODE_LIMITS.rpc };
    await writeFile(node.configFile, JSON.stringify(config));
  }
  const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
    chainId: number;
    contracts: ChainSetup["contracts"];
  };
  const processes = await startLocalNetwork(network, { logLevel: options.logLevel });
  const urls = network.nodes.map((n) => `http://127.0.0.1:${n.rpcPort}`);
  const rpc = createJsonRpc(urls[0] as string, options.rpcTimeoutMs);
  const deadline = Date.now() + 60_000;
  while (Number(await rpc.call<string>("eth_blockNumber")) < 1) {
    if (Date.now() > deadline) throw new Error("the network committed no block in 60 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const cpuSecondsPerNode = () => processes.map((p) => procCpuSeconds(p.child.pid as number));
  return {
    name: `custos-${options.validators}`,
    configuration: `${options.validators} validators, each a process on 127.0.0.1; QBFT over libp2p; 1 s block period; clients on hospital 0's JSON-RPC`,
    rpc,
    setup: { chainId: genesis.chainId, contracts: genesis.contracts, ...keys },
    network,
    processes,
    cpuSecondsPerNode,
    cpuSeconds: () => cpuSecondsPerNode().reduce((a, b) => a + b, 0),
    async consensusTotals() {
      const texts = await Promise.all(
        urls.map(async (url) => (await fetch(`${url}/metrics`)).text()),
      );
      return {
        messagesSent: texts.reduce(
          (sum, text) => sum + metricSum(text, "custos_consensus_messages_sent_total"),
          0,
        ),
        height: Math.max(...texts.map((text) => metricSum(text, "custos_chain_height"))),
      };
    },
    async stop() {
      await stopLocalNetwork(network, 15_000);
    },
  };
}
