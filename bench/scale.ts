/**
 * Scale benchmark (`npm run bench:scale`, issue 16: 10 million consents on one chain). Runs
 * outside CI, for an hour or more, and is resumable: everything lives in a work directory
 * (BENCH_SCALE_DIR, default bench/.scale-work/, git-ignored) — the solo node's data
 * directory, the 4-validator network's, and progress.json. Started again after Ctrl-C, a
 * crash or a reboot, it restarts the node on the same data, reads the recorders' nonces from
 * the chain and continues from the stored count.
 *
 * Phases (BENCH_SCALE_PHASES, default `load,network,grants,import`, each resumed on its own):
 * - `load`: batchGrant in SDK-sized chunks through a solo `custos node --dev` (bench:node's
 *   config) to BENCH_SCALE_TARGET consents (10,000,000): loading time, the load curve
 *   (consents/s over BENCH_SCALE_WINDOW consents (100,000) from each of 0, 1, 2.5, 5, 7.5 and
 *   10 M stored, or BENCH_SCALE_POINTS), then the stopped node's disk use per consent with a
 *   per-keyspace breakdown.
 * - `network`: BENCH_SCALE_NETWORK_CONSENTS (1,000,000) through 4 validators on this machine,
 *   with CPU per node.
 * - `grants`: single grants on the loaded solo node and on Hardhat EDR automine, bench:node's
 *   rounds (BENCH_ROUNDS 3, BENCH_ROUND_SECONDS 8, BENCH_MAX_ROUND_TXS 15,000); needs `load`
 *   complete.
 * - `import`: `custos consent import` of BENCH_SCALE_IMPORT_ROWS rows (1,000,000) into the
 *   loaded solo node, the node and the importer killed (SIGKILL) halfway, the node restarted,
 *   the import resumed and verified (`--verify-only`); needs `load` complete.
 *
 * Other variables: BENCH_SCALE_SEGMENT_SECONDS (30: a printed and recorded segment),
 * BENCH_SCALE_BLOCKS_IN_FLIGHT (2), BENCH_SCALE_STALL_SECONDS (180), BENCH_HOSPITALS (16),
 * BENCH_NODE_LOG_LEVEL (info), BENCH_ECHO=1. filterCohort10MMs and checkAccessP99Us are
 * copied from bench/results/consent-index.json. Writes bench/results/scale.json after every
 * segment (`"complete": false` until every phase is done).
 */
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { createSay } from "./node/benchSettings.ts";
import { runBulkImportPhase } from "./scale/bulkImportPhase.ts";
import { runGrantsPhase } from "./scale/grantsPhase.ts";
import { runImportPhase } from "./scale/importPhase.ts";
import { runLoadPhase } from "./scale/loadPhase.ts";
import { runNetworkPhase } from "./scale/networkPhase.ts";
import type { ScaleContext } from "./scale/scaleContext.ts";
import { readProgress, writeProgress } from "./scale/scaleProgress.ts";
import { scaleResults, writeScaleResults } from "./scale/scaleResults.ts";
import { readScaleSettings, type ScalePhase, scalePhases } from "./scale/scaleSettings.ts";

const say = createSay(performance.now());
const interruptHooks = new Set<() => void>();

// Installed before any child process exists, so it runs before the handler of
// bench/node/childProcesses.ts, which exits at once (its exit hook then kills the children).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`bench:scale: ${signal}: recording the progress and stopping`);
    for (const hook of [...interruptHooks]) {
      try {
        hook();
      } catch (error) {
        console.error(error);
      }
    }
    process.exit(130);
  });
}

const phases: Record<ScalePhase, (context: ScaleContext) => Promise<void>> = {
  load: runLoadPhase,
  network: runNetworkPhase,
  grants: runGrantsPhase,
  import: runImportPhase,
  bulkImport: runBulkImportPhase,
};

async function main(): Promise<void> {
  const settings = readScaleSettings();
  mkdirSync(settings.workDir, { recursive: true });
  const progress = readProgress(settings.workDir);
  progress.runs++;
  const loadavgAtStart = loadavg();
  const context: ScaleContext = {
    settings,
    progress,
    run: progress.runs,
    save: () => writeProgress(settings.workDir, progress),
    report: () => writeScaleResults(settings, progress, loadavgAtStart),
    say,
    onInterrupt(hook) {
      interruptHooks.add(hook);
      return () => interruptHooks.delete(hook);
    },
  };
  context.save();
  say(
    `bench:scale run ${context.run} in ${settings.workDir}: phases ${settings.phases.join(",")}; ` +
      `target ${settings.target.toLocaleString("en")}, window ${settings.window.toLocaleString("en")}, ` +
      `points ${settings.points.join(",")}; network ${settings.networkConsents.toLocaleString("en")}; ` +
      `load average ${loadavgAtStart.map((l) => l.toFixed(2)).join(" ")}`,
  );
  for (const phase of scalePhases) {
    if (!settings.phases.includes(phase)) {
      say(`${phase}: not selected (BENCH_SCALE_PHASES)`);
      continue;
    }
    await phases[phase](context);
    context.report();
  }
  const results = scaleResults(settings, progress, loadavgAtStart);
  const {
    load,
    network,
    grants,
    method,
    machine,
    import: imported,
    bulkImport,
    ...headline
  } = results;
  console.log(JSON.stringify({ ...headline, machine }, null, 2));
  say(`written ${settings.resultsFile}${results.complete ? "" : " (partial: complete false)"}`);
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
