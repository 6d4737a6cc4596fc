/**
 * The solo node of bench:scale: `custos node --dev` as bench:node starts it, but on a data
 * directory that outlives the run (`<work dir>/solo`), so a later run continues the same
 * chain — the node restores its own state after an unclean stop. A node left running by a
 * run that was killed outright (its exit handlers never ran) is stopped first.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DATA_DIR_PID_FILE } from "../../nodes/db/index.ts";
import { processAlive, readPidFile } from "../../nodes/localnet/index.ts";
import { BLOCK_GAS_LIMIT, ECHO, RPC_TIMEOUT_MS } from "../node/benchSettings.ts";
import { type CustosChain, startCustosChain, writeCustosConfig } from "../node/custosChain.ts";
import type { ScaleSettings } from "./scaleSettings.ts";

/**
 * Where a solo node keeps its data and config inside the work directory: `solo` is the loaded
 * chain's, others (the bulk import's chain) are named after their phase.
 */
export function soloPaths(workDir: string, name = "solo"): { dataDir: string; configFile: string } {
  return { dataDir: join(workDir, name), configFile: join(workDir, `${name}-config.json`) };
}

/** A restore re-executes up to 64 blocks of ~5,000 consents: minutes on a busy machine. */
const START_TIMEOUT_MS = 30 * 60_000;
const ORPHAN_GRACE_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a node an earlier run left on `dataDir` (its pid file names a live process whose
 * command line holds the directory; anything else is not ours and is left alone).
 */
async function stopOrphan(dataDir: string, say: (line: string) => void): Promise<void> {
  const pid = await readPidFile(join(dataDir, DATA_DIR_PID_FILE));
  if (pid === undefined) return;
  let commandLine = "";
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return;
  }
  if (!commandLine.includes(dataDir)) return;
  say(`solo node: stopping pid ${pid}, left running on ${dataDir} by an earlier run`);
  process.kill(pid, "SIGTERM");
  const deadline = performance.now() + ORPHAN_GRACE_MS;
  while (processAlive(pid) && performance.now() < deadline) await sleep(200);
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
}

/**
 * Starts the solo node `name` (see {@link soloPaths}) on its data directory in the work
 * directory, writing its config on the first start (bench:node's: dev chain, `settings.hospitals` hospitals, 1 G block gas, 1 s
 * period, raised pool and RPC limits).
 *
 * @throws Error if the node does not serve within 30 minutes (restore included).
 * @example
 * ```ts
 * const { chain, startSeconds } = await startSoloNode(settings, say);
 * ```
 */
export async function startSoloNode(
  settings: ScaleSettings,
  say: (line: string) => void,
  name = "solo",
): Promise<{ chain: CustosChain; startSeconds: number }> {
  const { dataDir, configFile } = soloPaths(settings.workDir, name);
  if (!existsSync(configFile)) {
    await mkdir(dataDir, { recursive: true });
    await writeCustosConfig(configFile, {
      dataDir,
      hospitals: settings.hospitals,
      blockGasLimit: BLOCK_GAS_LIMIT,
      logLevel: settings.nodeLogLevel,
    });
  }
  await stopOrphan(dataDir, say);
  const started = performance.now();
  const chain = await startCustosChain({
    configFile,
    dataDir,
    reindex: false,
    rpcTimeoutMs: RPC_TIMEOUT_MS,
    startTimeoutMs: START_TIMEOUT_MS,
    echo: ECHO,
  });
  const startSeconds = (performance.now() - started) / 1000;
  say(`solo node: ${chain.rpc.url} (pid ${chain.pid}), serving after ${startSeconds.toFixed(1)} s`);
  return { chain, startSeconds };
}
