/**
 * Phase `import`: `custos consent import` of BENCH_SCALE_IMPORT_ROWS rows (1,000,000) into the
 * solo node holding the loaded chain, as a hospital runs it (the CLI in a process of its own,
 * hospital 1's recorder key, default options); once half the rows are in the import's
 * checkpoint the node and the importer are killed together (SIGKILL), as a crash of the
 * machine running both would. The node restarts on its data directory, the import goes on with
 * `--resume`, and a `--verify-only` pass compares the file with the chain. The phase is
 * measured in one go; an interrupted attempt is repeated whole with a file of its own.
 */
import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { processAlive } from "../../nodes/localnet/index.ts";
import { round } from "../node/stats.ts";
import {
  landedInCheckpoint,
  runImportCli,
  sleep,
  TERMS,
  VERIFY_SEED,
  writeRows,
} from "./importCli.ts";
import type { ScaleContext } from "./scaleContext.ts";
import { startSoloNode } from "./soloNode.ts";

/**
 * Runs the import across a kill -9 unless a result is recorded; needs the completed load.
 *
 * @throws Error when the resumed import or its verification is not clean.
 * @example
 * ```ts
 * await runImportPhase(context);
 * ```
 */
export async function runImportPhase(context: ScaleContext): Promise<void> {
  const { settings, progress, say } = context;
  if (progress.load?.status !== "complete") {
    say("import: waits for the load phase (the import goes into the loaded chain)");
    return;
  }
  progress.import ??= { attempts: 0, result: null };
  const phase = progress.import;
  if (phase.result !== null) {
    say("import: complete, nothing to do");
    return;
  }
  phase.attempts++;
  context.save();
  const rows = settings.importRows;
  const series = `scale-import-${phase.attempts}`;
  const file = join(settings.workDir, `${series}.csv`);
  const checkpoint = `${file}.progress.json`;
  const loadavgAtStart = loadavg().map((l) => round(l, 2));
  say(`import: writing ${rows.toLocaleString("en")} rows to ${file}`);
  await writeRows(file, series, rows);
  let { chain } = await startSoloNode(settings, say);
  try {
    const recorder = chain.setup.hospitals[0]?.recorder;
    if (recorder === undefined) throw new Error("import: the chain has no hospital");
    const chainArgs = ["--rpc", chain.rpc.url, "--registry", chain.setup.contracts.consentRegistry];
    const storedBefore = progress.load.state.stored;

    // 1. Import until half the rows are in the checkpoint, then kill the node and the
    // importer at once, as a crash of the machine running both would.
    let killedAtLanded = 0;
    let cli: ChildProcess | undefined;
    const first = runImportCli(
      [file, "--terms", TERMS, "--progress", "--no-verify", ...chainArgs],
      recorder.privateKey,
      say,
      (child) => {
        cli = child;
      },
    );
    const nodePid = chain.pid;
    while (cli !== undefined && cli.exitCode === null) {
      killedAtLanded = landedInCheckpoint(checkpoint);
      if (killedAtLanded >= rows / 2) {
        say(
          `import: ${killedAtLanded.toLocaleString("en")} rows in the checkpoint: kill -9 of the ` +
            `node (pid ${nodePid}) and the importer (pid ${cli.pid})`,
        );
        process.kill(nodePid, "SIGKILL");
        cli.kill("SIGKILL");
        break;
      }
      await sleep(200);
    }
    const stopped = await first;
    if (stopped.signal !== "SIGKILL") {
      throw new Error(`import: the first run ended (exit ${stopped.code}) before the kill`);
    }
    while (processAlive(nodePid)) await sleep(100);
    await chain.stop().catch(() => undefined);
    const checkpointAfterKill = landedInCheckpoint(checkpoint);

    // 2. Restart the node on its data and resume.
    const restarted = await startSoloNode(settings, say);
    chain = restarted.chain;
    const resumeArgs = [
      "--rpc",
      chain.rpc.url,
      "--registry",
      chain.setup.contracts.consentRegistry,
    ];
    const resumed = await runImportCli(
      [file, "--terms", TERMS, "--progress", "--no-verify", "--resume", ...resumeArgs],
      recorder.privateKey,
      say,
    );
    const report = resumed.report ?? {};
    const failed = (report.failed as unknown[] | undefined)?.length;
    if (resumed.code !== 0 || failed !== 0) {
      throw new Error(`import: the resumed run exited ${resumed.code}: ${JSON.stringify(report)}`);
    }

    // 3. The verification pass, alone so that its time is its own.
    const verified = await runImportCli(
      [
        file,
        "--terms",
        TERMS,
        "--progress",
        "--verify-only",
        "--verify-seed",
        String(VERIFY_SEED),
        ...resumeArgs,
      ],
      recorder.privateKey,
      say,
    );
    const verification = verified.report?.verification as Record<string, number> | undefined;
    if (verified.code !== 0 || verification?.rows !== rows) {
      throw new Error(
        `import: the verification exited ${verified.code}: ${JSON.stringify(verified.report)}`,
      );
    }
    const importSeconds = stopped.seconds + resumed.seconds;
    const importRowsPerSec = Math.round(rows / importSeconds);
    phase.result = {
      rows,
      consentsStoredBefore: storedBefore,
      importRowsPerSec,
      importSeconds: round(importSeconds, 1),
      firstRun: {
        seconds: round(stopped.seconds, 1),
        killedAtCheckpointLanded: killedAtLanded,
        checkpointLandedAfterKill: checkpointAfterKill,
      },
      restartSeconds: round(restarted.startSeconds, 1),
      resumed: {
        exitCode: resumed.code,
        seconds: round(resumed.seconds, 1),
        skipped: report.skipped,
        recovered: report.recovered,
        landed: report.landed,
        failed,
      },
      verification: {
        exitCode: verified.code,
        seconds: round(verified.seconds, 1),
        ...verification,
        eventsPerSec: Math.round((verification.events ?? 0) / verified.seconds),
      },
      attempt: phase.attempts,
      subjectSeries: series,
      terms: TERMS,
      loadavgAtStart,
      loadavgAtEnd: loadavg().map((l) => round(l, 2)),
      at: new Date().toISOString(),
    };
    say(
      `import: ${rows.toLocaleString("en")} rows in ${round(importSeconds, 1)} s ` +
        `(${importRowsPerSec} rows/s) across a kill -9 (restart ${round(restarted.startSeconds, 1)} s, ` +
        `${report.recovered} rows recovered); verified clean in ${round(verified.seconds, 1)} s ` +
        `(${verification.events} events)`,
    );
    context.save();
    context.report();
  } finally {
    await chain.stop().catch(() => undefined);
    await rm(file, { force: true });
    await rm(checkpoint, { force: true });
  }
}
