import {
  type ConsentImportProgress,
  type ConsentImportReport,
  ProgressRate,
} from "../../../../src/consentImport/index.ts";
import type { CliIo } from "../../CliCommand.ts";

/** Options of {@link importProgress}. */
export interface ImportProgressOptions {
  /** Redraw one line in place (a terminal), or print a line per update (a log). */
  readonly tty: boolean;
  /** Least time between two printed updates, in milliseconds (default 250 on a terminal, 10 s in a log). */
  readonly intervalMs?: number;
  /** The window of the rate, in milliseconds (default 30 s). */
  readonly windowMs?: number;
}

/** The progress printer of an import. */
export interface ImportProgressPrinter {
  /** Takes the import's progress; prints it unless the last update was printed too recently. */
  readonly update: (progress: ConsentImportProgress) => void;
  /** Prints the last state and the run's summary. */
  readonly finish: (report: ConsentImportReport) => void;
}

const RATE_WINDOW_MS = 30_000;

function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  }
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function formatRate(perSecond: number | undefined): string {
  return perSecond === undefined ? "?" : String(Math.round(perSecond));
}

/**
 * The import's progress on standard error: `import 75.0% 3/4 ETA 2s (812 rows/s)`, the rate
 * over the last 30 s (not since the start) and the ETA at that rate. On a terminal the line is
 * redrawn in place at most every 250 ms; in a log a line is printed at most every 10 s. The
 * first update and the last state are always printed, then a summary:
 * `imported 4 rows in 2s (2 rows/s); 1 failed, 0 skipped` (and `, 3 recovered` when a resumed
 * run found rows landed unseen).
 *
 * @example
 * ```ts
 * const progress = importProgress(io, performance.now, { tty: true });
 * const report = await plan.run({ registry, terms, onProgress: progress.update });
 * progress.finish(report);
 * ```
 */
export function importProgress(
  io: CliIo,
  clock: () => number,
  options: ImportProgressOptions,
): ImportProgressPrinter {
  const intervalMs = options.intervalMs ?? (options.tty ? 250 : 10_000);
  const rate = new ProgressRate(options.windowMs ?? RATE_WINDOW_MS);
  const started = clock();
  rate.record(started, 0);
  let last: ConsentImportProgress | undefined;
  let printedAt: number | undefined;
  /** Whether `last` has been printed. */
  let shown = false;
  let width = 0;

  const print = (progress: ConsentImportProgress, now: number): void => {
    const { landed, total, failed } = progress;
    const { perSecond, etaSeconds } = rate.estimate(now, total - failed);
    const percent = total === 0 ? "100.0" : ((landed / total) * 100).toFixed(1);
    const line = `import ${percent}% ${landed}/${total} ETA ${formatSeconds(etaSeconds)} (${formatRate(perSecond)} rows/s)`;
    if (options.tty) {
      io.stderr(`\r${line.padEnd(width)}`);
      width = line.length;
    } else {
      io.stderr(`${line}\n`);
    }
    printedAt = now;
    shown = true;
  };

  return {
    update: (progress) => {
      const now = clock();
      rate.record(now, progress.landed);
      last = progress;
      shown = false;
      if (printedAt === undefined || now - printedAt >= intervalMs) print(progress, now);
    },
    finish: (report) => {
      const now = clock();
      if (last !== undefined && !shown) print(last, now);
      if (options.tty && last !== undefined) io.stderr("\n");
      const seconds = (now - started) / 1000;
      const average = seconds > 0 ? Math.round(report.landed / seconds) : 0;
      const failed = report.failed.length;
      io.stderr(
        `imported ${report.landed} rows in ${formatSeconds(seconds)} (${average} rows/s); ` +
          `${failed} failed, ${report.skipped} skipped` +
          (report.recovered > 0 ? `, ${report.recovered} recovered\n` : "\n"),
      );
    },
  };
}
