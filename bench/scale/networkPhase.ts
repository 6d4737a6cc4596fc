/**
 * Phase `network`: BENCH_SCALE_NETWORK_CONSENTS consents (default 1 M) through a network of
 * 4 validators on this machine, started as bench:network starts it (each validator a process,
 * clients on hospital 0's JSON-RPC), with the solo load's method, and the CPU of every node.
 * The network's directory stays in the work directory, so a later run restarts the same
 * network and continues its load.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createLocalNetwork,
  findFreePortRange,
  readLocalNetwork,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import { startNetworkChain } from "../network/networkChain.ts";
import { BLOCK_GAS_LIMIT, POLL_MS, RPC_TIMEOUT_MS } from "../node/benchSettings.ts";
import { runLoadRun } from "./loadRun.ts";
import { planStream } from "./planStream.ts";
import type { ScaleContext } from "./scaleContext.ts";
import { type NetworkProgress, newStreamProgress } from "./scaleProgress.ts";

/** Validators of the network (the figure is for 4). */
const VALIDATORS = 4;
const STOP_GRACE_MS = 15_000;

/**
 * Creates the network directory with the genesis at `gasLimit`. createLocalNetwork
 * (nodes/localnet) takes a `gasLimit` option but does not pass it to the genesis, which then
 * has the dev genesis's 30 M gas: one 16 M-gas batchGrant per block, 500 consents/s whatever
 * the nodes could do. The genesis file is corrected before any node has started (the genesis
 * block is built from it at the first start); startNetworkChain then reads the network back.
 * Once createLocalNetwork passes the option on, this only creates the network.
 */
async function createNetwork(dir: string, gasLimit: number): Promise<void> {
  const network = await createLocalNetwork({
    dir,
    hospitals: VALIDATORS,
    gasLimit,
    basePort: await findFreePortRange(VALIDATORS),
    p2pBasePort: await findFreePortRange(VALIDATORS),
  });
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as { gasLimit: number };
  if (genesis.gasLimit === gasLimit) return;
  genesis.gasLimit = gasLimit;
  await writeFile(network.genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
}

function networkProgressOf(context: ScaleContext): NetworkProgress {
  const { settings, progress } = context;
  if (progress.network === null) {
    progress.network = {
      ...newStreamProgress(VALIDATORS),
      consents: settings.networkConsents,
      validators: VALIDATORS,
    };
  } else if (progress.network.consents !== settings.networkConsents) {
    throw new Error(
      `${settings.workDir} holds a network load of ${progress.network.consents} consents, this ` +
        `run asks for BENCH_SCALE_NETWORK_CONSENTS=${settings.networkConsents}: run with the ` +
        "same value to continue it, or use another BENCH_SCALE_DIR",
    );
  }
  return progress.network;
}

/**
 * Runs (or continues) the network load.
 *
 * @throws Error from the network or the load; the progress file keeps what was done.
 * @example
 * ```ts
 * await runNetworkPhase(context);
 * ```
 */
export async function runNetworkPhase(context: ScaleContext): Promise<void> {
  const { settings, say } = context;
  const network = networkProgressOf(context);
  if (network.status === "complete") {
    say(`network: complete (${network.state.stored.toLocaleString("en")} consents), nothing to do`);
    return;
  }
  const dir = join(settings.workDir, "network");
  // Nodes an earlier run left running (it was killed before it could stop them).
  const existing = await readLocalNetwork(dir, { missing: "undefined" });
  if (existing === undefined) await createNetwork(dir, BLOCK_GAS_LIMIT);
  else await stopLocalNetwork(existing, STOP_GRACE_MS);
  const started = performance.now();
  const net = await startNetworkChain({
    dir,
    validators: VALIDATORS,
    gasLimit: BLOCK_GAS_LIMIT,
    rpcTimeoutMs: RPC_TIMEOUT_MS,
    logLevel: settings.nodeLogLevel,
  });
  const startSeconds = (performance.now() - started) / 1000;
  say(
    `network: ${VALIDATORS} validators, clients on ${net.rpc.url}, serving after ${startSeconds.toFixed(1)} s`,
  );
  // The nodes are not children the bench kills on exit (they run as `network up` runs them).
  const removeHook = context.onInterrupt(() => {
    for (const p of net.processes) p.child.kill("SIGTERM");
  });
  try {
    const registry = net.setup.contracts.consentRegistry;
    const recorders = net.setup.hospitals.map((h) => h.recorder);
    const { chunk, chain } = await planStream(network, {
      rpc: net.rpc,
      registry,
      estimateFrom: recorders[0]?.address as string,
      blocksInFlight: settings.blocksInFlight,
      save: () => context.save(),
    });
    say(
      `network: ${chunk.size} consents per batchGrant, ${chain.maxInFlight} ` +
        `transactions in flight (block gas limit ${chain.blockGasLimit}, period ` +
        `${chain.blockPeriodSeconds} s)`,
    );
    await runLoadRun({
      label: "network",
      progress: network,
      target: {
        rpc: net.rpc,
        chainId: net.setup.chainId,
        registry,
        recorders,
        chunk: { size: chunk.size, gasLimit: BigInt(chunk.gasLimit) },
        maxInFlight: chain.maxInFlight,
        cpu: net.cpuSecondsPerNode,
      },
      run: context.run,
      startSeconds,
      segmentSeconds: settings.segmentSeconds,
      stallSeconds: settings.stallSeconds,
      pollMs: POLL_MS,
      until: () => network.consents,
      save: context.save,
      report: context.report,
      say,
      onInterrupt: context.onInterrupt,
    });
    network.status = "complete";
    context.save();
    context.report();
  } finally {
    removeHook();
    await net.stop();
  }
}
