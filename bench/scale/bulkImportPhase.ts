/**
 * Phase `bulkImport`: `custos consent import` of BENCH_SCALE_BULK_IMPORT_ROWS rows (10 M) into
 * an empty chain of its own (`<work dir>/bulk`), as a hospital would load its patients (the
 * CLI in its own process, hospital 1's recorder key, default options). Once half the rows are
 * in the checkpoint the node and the importer are killed together (SIGKILL); the node restarts
 * on its data, the import goes on with `--resume`, and a `--verify-only` pass compares the file
 * with the chain. It takes hours, so it is resumable: a bench run that dies (or is stopped)
 * leaves the stage in the progress file, and the next run goes on from it with `--resume`, as
 * after the kill -9 (the importer a dead run left behind is killed first).
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { processAlive } from "../../nodes/localnet/index.ts";
import type { CustosChain } from "../node/custosChain.ts";
import { round } from "../node/stats.ts";
import {
  type CliRun,
  landedInCheckpoint,
  runImportCli,
  sleep,
  TERMS,
  VERIFY_SEED,
  writeRows,
} from "./importCli.ts";
import type { ScaleContext } from "./scaleContext.ts";
import type { BulkImportProgress, BulkImportRun } from "./scaleProgress.ts";
import { startSoloNode } from "./soloNode.ts";

/** The bulk import's own chain inside the work directory. */
const NODE_NAME = "bulk";

/** Kills the importer a dead bench run left running on `file`, if any. */
function stopOrphanCli(pid: number | null, file: string, say: (line: string) => void): void {
  if (pid === null || !processAlive(pid)) return;
  let commandLine = "";
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return;
  }
  if (!commandLine.includes(file)) return;
  say(`bulk import: killing the importer (pid ${pid}) an earlier run left running`);
  process.kill(pid, "SIGKILL");
}

/** Settles runs a dead bench left `running`: their time is counted to the checkpoint's write. */
function settleCrashedRuns(phase: BulkImportProgress, checkpoint: string): void {
  for (const run of phase.runs) {
    if (run.ended !== "running") continue;
    run.ended = "crashed";
    const lastWrite = existsSync(checkpoint) ? statSync(checkpoint).mtimeMs : Date.now();
    run.seconds = round(Math.max(0, (lastWrite - Date.parse(run.startedAt)) / 1000), 1);
  }
}

/** Records a run's end. */
function ended(run: BulkImportRun, outcome: CliRun): void {
  run.seconds = round(outcome.seconds, 1);
  run.ended = outcome.signal === "SIGKILL" ? "killed" : "exited";
  run.exitCode = outcome.code;
  run.report = outcome.report;
}

/**
 * Runs (or goes on with) the bulk import unless its result is recorded.
 *
 * @throws Error when a resumed run fails rows or exits non-zero, or the verification is not
 *   clean.
 * @example
 * ```ts
 * await runBulkImportPhase(context);
 * ```
 */
export async function runBulkImportPhase(context: ScaleContext): Promise<void> {
  const { settings, progress, say } = context;
  const rows = settings.bulkImportRows;
  progress.bulkImport ??= {
    rows,
    series: "scale-bulk-import",
    stage: "writing",
    cliPid: null,
    killedAtCheckpointLanded: null,
    checkpointLandedAfterKill: null,
    restartSeconds: null,
    runs: [],
    result: null,
  };
  const phase = progress.bulkImport;
  if (phase.result !== null) {
    say("bulk import: complete, nothing to do");
    return;
  }
  if (phase.rows !== rows) {
    throw new Error(
      `bulk import: the work directory's import has ${phase.rows} rows, BENCH_SCALE_BULK_IMPORT_ROWS says ${rows}`,
    );
  }
  const file = join(settings.workDir, `${phase.series}.csv`);
  const checkpoint = `${file}.progress.json`;
  if (phase.stage === "writing") {
    say(`bulk import: writing ${rows.toLocaleString("en")} rows to ${file}`);
    await writeRows(`${file}.tmp`, phase.series, rows);
    renameSync(`${file}.tmp`, file);
    phase.stage = "first";
    context.save();
  }
  stopOrphanCli(phase.cliPid, file, say);
  settleCrashedRuns(phase, checkpoint);
  context.save();

  let { chain } = await startSoloNode(settings, say, NODE_NAME);
  const recorder = chain.setup.hospitals[0]?.recorder;
  if (recorder === undefined) throw new Error("bulk import: the chain has no hospital");
  const chainArgs = (c: CustosChain) => [
    "--rpc",
    c.rpc.url,
    "--registry",
    c.setup.contracts.consentRegistry,
  ];
  /** One importer process of `stage`, recorded in the progress as it starts and ends. */
  const importer = async (
    stage: BulkImportRun["stage"],
    args: readonly string[],
    watch?: (cli: ChildProcess) => void,
  ): Promise<CliRun> => {
    const run: BulkImportRun = {
      stage,
      startedAt: new Date().toISOString(),
      seconds: null,
      ended: "running",
    };
    phase.runs.push(run);
    const outcome = await runImportCli(
      [file, "--terms", TERMS, "--progress", ...args, ...chainArgs(chain)],
      recorder.privateKey,
      say,
      (child) => {
        phase.cliPid = child.pid ?? null;
        context.save();
        watch?.(child);
      },
    );
    phase.cliPid = null;
    ended(run, outcome);
    context.save();
    return outcome;
  };
  try {
    if (phase.stage === "first") {
      // Until half the rows are in the checkpoint; then the node and the importer die together.
      const resume = existsSync(checkpoint) ? ["--resume"] : [];
      let killed = false;
      const nodePid = chain.pid;
      const outcome = await importer("first", ["--no-verify", ...resume], (cli) => {
        void (async () => {
          while (cli.exitCode === null && cli.signalCode === null) {
            const landed = landedInCheckpoint(checkpoint);
            if (landed >= rows / 2) {
              say(
                `bulk import: ${landed.toLocaleString("en")} rows in the checkpoint: kill -9 of ` +
                  `the node (pid ${nodePid}) and the importer (pid ${cli.pid})`,
              );
              phase.killedAtCheckpointLanded = landed;
              killed = true;
              process.kill(nodePid, "SIGKILL");
              cli.kill("SIGKILL");
              return;
            }
            await sleep(200);
          }
        })();
      });
      if (!killed) {
        throw new Error(`bulk import: the first run ended (exit ${outcome.code}) before the kill`);
      }
      while (processAlive(nodePid)) await sleep(100);
      await chain.stop().catch(() => undefined);
      phase.checkpointLandedAfterKill = landedInCheckpoint(checkpoint);
      phase.stage = "resumed";
      context.save();
      const restarted = await startSoloNode(settings, say, NODE_NAME);
      chain = restarted.chain;
      phase.restartSeconds = round(restarted.startSeconds, 1);
      context.save();
    }
    if (phase.stage === "resumed") {
      const outcome = await importer("resumed", ["--no-verify", "--resume"]);
      const failed = (outcome.report?.failed as unknown[] | undefined)?.length;
      if (outcome.code !== 0 || failed !== 0) {
        throw new Error(
          `bulk import: the resumed run exited ${outcome.code}: ${JSON.stringify(outcome.report)}`,
        );
      }
      phase.stage = "verify";
      context.save();
    }
    const verified = await importer("verify", [
      "--verify-only",
      "--verify-seed",
      String(VERIFY_SEED),
    ]);
    const verification = verified.report?.verification as Record<string, number> | undefined;
    if (verified.code !== 0 || verification?.rows !== rows) {
      throw new Error(
        `bulk import: the verification exited ${verified.code}: ${JSON.stringify(verified.report)}`,
      );
    }
    phase.stage = "complete";
    phase.result = bulkImportResult(phase, verified.seconds, verification);
    say(
      `bulk import: ${rows.toLocaleString("en")} rows at ${phase.result.importRowsPerSec} rows/s ` +
        `across a kill -9; verified clean in ${round(verified.seconds, 1)} s`,
    );
    context.save();
    context.report();
    await rm(file, { force: true });
  } finally {
    await chain.stop().catch(() => undefined);
  }
}

/** The recorded figures: import time summed over its runs (crashed ones to their last write). */
function bulkImportResult(
  phase: BulkImportProgress,
  verifySeconds: number,
  verification: Record<string, number>,
): Record<string, unknown> {
  const importRuns = phase.runs.filter((r) => r.stage !== "verify");
  const importSeconds = importRuns.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
  const resumes = importRuns.filter((r) => r.stage === "resumed" && r.ended === "exited");
  const report = resumes.at(-1)?.report ?? {};
  return {
    rows: phase.rows,
    importRowsPerSec: Math.round(phase.rows / importSeconds),
    importSeconds: round(importSeconds, 1),
    importRuns: importRuns.map((r) => ({ stage: r.stage, seconds: r.seconds, ended: r.ended })),
    killedAtCheckpointLanded: phase.killedAtCheckpointLanded,
    checkpointLandedAfterKill: phase.checkpointLandedAfterKill,
    restartSeconds: phase.restartSeconds,
    recovered: importRuns.reduce(
      (sum, r) => sum + ((r.report?.recovered as number | undefined) ?? 0),
      0,
    ),
    failed: (report.failed as unknown[] | undefined)?.length ?? null,
    verification: {
      seconds: round(verifySeconds, 1),
      ...verification,
      eventsPerSec: Math.round((verification.events ?? 0) / verifySeconds),
    },
    subjectSeries: phase.series,
    terms: TERMS,
    at: new Date().toISOString(),
  };
}
