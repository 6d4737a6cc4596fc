/**
 * Phase `load`: the solo node loaded to the target with batchGrant, the load curve measured
 * on the way, then the stopped node's disk use. Resumable at any point: the node restarts on
 * the same data directory and the load continues from the progress file.
 */
import { defaultChainDbOptions } from "../../nodes/db/index.ts";
import { POLL_MS } from "../node/benchSettings.ts";
import type { CustosChain } from "../node/custosChain.ts";
import type { JsonRpc } from "../node/jsonRpc.ts";
import { createCurveTracker } from "./curveTracker.ts";
import { measureDisk } from "./diskUsage.ts";
import { runLoadRun } from "./loadRun.ts";
import { planStream } from "./planStream.ts";
import type { ScaleContext } from "./scaleContext.ts";
import { type LoadProgress, newStreamProgress } from "./scaleProgress.ts";
import { soloPaths, startSoloNode } from "./soloNode.ts";

function loadProgressOf(context: ScaleContext): LoadProgress {
  const { settings, progress } = context;
  if (progress.load === null) {
    progress.load = {
      ...newStreamProgress(settings.hospitals),
      target: settings.target,
      window: settings.window,
      points: [...settings.points],
      targetSeconds: null,
      curve: {},
      openWindow: null,
      disk: null,
    };
    return progress.load;
  }
  const load = progress.load;
  const mismatch = [
    ["BENCH_SCALE_TARGET", load.target, settings.target],
    ["BENCH_SCALE_WINDOW", load.window, settings.window],
    ["BENCH_SCALE_POINTS", load.points.join(","), settings.points.join(",")],
  ].find(([, stored, asked]) => stored !== asked);
  if (mismatch !== undefined) {
    throw new Error(
      `${settings.workDir} holds a load with ${mismatch[0]}=${mismatch[1]}, this run asks for ` +
        `${mismatch[2]}: run with the same settings to continue it, or use another BENCH_SCALE_DIR`,
    );
  }
  return load;
}

/**
 * Waits until the node has committed a state persist's worth of blocks after the load (empty
 * blocks count): it then holds no load in memory, so it stops well within its 10 s stop
 * deadline (a node past it exits unpersisted) and the disk is measured fully persisted.
 */
async function awaitStatePersist(rpc: JsonRpc, say: (line: string) => void): Promise<void> {
  const blocks = defaultChainDbOptions.statePersistBlocks + 2;
  const until = Number(await rpc.call<string>("eth_blockNumber")) + blocks;
  say(`load: waiting ${blocks} blocks for the node to persist its state before stopping it`);
  while (Number(await rpc.call<string>("eth_blockNumber")) < until) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Loads the running node from the persisted progress to the end of the load. */
async function loadChain(
  context: ScaleContext,
  load: LoadProgress,
  node: CustosChain,
  startSeconds: number,
): Promise<void> {
  const { settings, say } = context;
  const registry = node.setup.contracts.consentRegistry;
  const recorders = node.setup.hospitals.map((h) => h.recorder);
  const { chunk, chain } = await planStream(load, {
    rpc: node.rpc,
    registry,
    estimateFrom: recorders[0]?.address as string,
    blocksInFlight: settings.blocksInFlight,
    save: () => context.save(),
  });
  say(
    `load: ${chunk.size} consents per batchGrant (estimate ${chunk.gas} gas, limit ` +
      `${chunk.gasLimit}); block gas limit ${chain.blockGasLimit}, period ` +
      `${chain.blockPeriodSeconds} s: ${chain.maxInFlight} transactions in flight`,
  );
  const curve = createCurveTracker(load, context.run);
  // One pool's worth past the target and past the last window: neither the target crossing
  // nor a window may see the pool drain at the end of the load.
  const slack = chain.maxInFlight * chunk.size;
  const last = load.points.at(-1);
  const end = Math.max(load.target, last === undefined ? 0 : last + load.window) + slack;
  await runLoadRun({
    label: "load",
    progress: load,
    target: {
      rpc: node.rpc,
      chainId: node.setup.chainId,
      registry,
      recorders,
      chunk: { size: chunk.size, gasLimit: BigInt(chunk.gasLimit) },
      maxInFlight: chain.maxInFlight,
      cpu: () => [node.cpuSeconds()],
    },
    run: context.run,
    startSeconds,
    segmentSeconds: settings.segmentSeconds,
    stallSeconds: settings.stallSeconds,
    pollMs: POLL_MS,
    until: () => Math.max(end, curve.needs() + slack),
    onCommit(o) {
      if (load.targetSeconds === null && o.stored >= load.target) {
        load.targetSeconds = load.loadSeconds;
        say(
          `load: target ${load.target.toLocaleString("en")} reached after ${load.loadSeconds} s of loading`,
        );
      }
      const closed = curve.observe(o);
      if (closed === undefined) return;
      const f = closed.figures;
      say(
        `load curve at ${closed.point.toLocaleString("en")}: ${f.consentsPerSec} consents/s ` +
          `(${f.consentsPerCpuSec} per CPU-s) over ${f.startStored.toLocaleString("en")}..` +
          `${f.endStored.toLocaleString("en")}, ${f.seconds} s, ${f.blocks} blocks` +
          (f.reopened ? " (window re-measured after an interruption)" : ""),
      );
      context.report();
    },
    save: context.save,
    report: context.report,
    say,
    onInterrupt: context.onInterrupt,
  });
}

/**
 * Runs (or continues) the solo load and the disk measure. A run interrupted after the load
 * starts the node again only to let it persist its state, then measures the disk.
 *
 * @throws Error from the node, the load or the disk measure; the progress file keeps what
 *   was done.
 * @example
 * ```ts
 * await runLoadPhase(context);
 * ```
 */
export async function runLoadPhase(context: ScaleContext): Promise<void> {
  const { settings, say } = context;
  const load = loadProgressOf(context);
  if (load.status === "complete") {
    say(`load: complete (${load.state.stored.toLocaleString("en")} consents), nothing to do`);
    return;
  }
  const { chain: node, startSeconds } = await startSoloNode(settings, say);
  try {
    if (load.status === "loading") {
      await loadChain(context, load, node, startSeconds);
      load.status = "loaded";
      context.save();
    }
    await awaitStatePersist(node.rpc, say);
  } finally {
    await node.stop();
  }
  load.disk = await measureDisk(soloPaths(settings.workDir).dataDir, load.state.stored, say);
  load.status = "complete";
  context.save();
  context.report();
}
