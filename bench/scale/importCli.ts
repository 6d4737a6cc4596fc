/**
 * What bench:scale's import phases share: the rows file they import, the CLI run as a process
 * of its own with its report, and the checkpoint's landed count.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bytesToHex } from "@ethereumjs/util";
import { LandedLines } from "../../src/consentImport/index.ts";
import { pseudonym } from "../node/workload.ts";

/** The CLI run as its own process, as a hospital runs it. */
const CLI = fileURLToPath(new URL("../../nodes/bin/custos.ts", import.meta.url));
/** The terms every bench import grants on. */
export const TERMS = '{"purposes":"GRU","categories":"CONDITIONS"}';
/** The sample the verification reads back, seeded so a rerun draws the same rows. */
export const VERIFY_SEED = 16;

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes `rows` import rows (subject and document hash pseudonyms of `series`) as CSV to
 * `file`, streamed in 1 MiB pieces.
 *
 * @example
 * ```ts
 * await writeRows(file, "scale-import-1", 1_000_000);
 * ```
 */
export async function writeRows(file: string, series: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text)
      ? Promise.resolve()
      : new Promise<void>((resolve) => out.once("drain", () => resolve()));
  await write("subject,documentHash\n");
  let batch = "";
  for (let i = 0; i < rows; i++) {
    batch += `${bytesToHex(pseudonym(series, i))},${bytesToHex(pseudonym(`${series}-document`, i))}\n`;
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = "";
    }
  }
  await write(batch);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Lines landed according to a checkpoint file (0 before the first is written). */
export function landedInCheckpoint(path: string): number {
  if (!existsSync(path)) return 0;
  try {
    return LandedLines.fromCheckpoint(readFileSync(path, "utf8")).count;
  } catch {
    return 0; // caught mid-write: the next poll reads it
  }
}

/** How one `custos consent import` process ended. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly seconds: number;
  /** The JSON report; null for a run killed before it printed one. */
  readonly report: Record<string, unknown> | null;
}

/**
 * Runs `custos consent import …` and resolves with its exit code, time and JSON report; the
 * CLI's stderr lines go to `say`, the child to `onSpawn` (to kill it).
 *
 * @throws Error (rejects) when a run not killed by SIGKILL printed no JSON report.
 * @example
 * ```ts
 * const run = await runImportCli([file, "--terms", TERMS, ...chainArgs], key, say);
 * ```
 */
export function runImportCli(
  args: readonly string[],
  recorderKey: string,
  say: (line: string) => void,
  onSpawn: (child: ChildProcess) => void = () => undefined,
): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, "consent", "import", ...args], {
    env: { ...process.env, CUSTOS_RECORDER_KEY: recorderKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  onSpawn(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split("\n"))
      if (line.trim() !== "") say(`import: cli: ${line.trim()}`);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      setImmediate(() => {
        const seconds = (performance.now() - started) / 1000;
        if (signal === "SIGKILL") {
          resolve({ code, signal, seconds, report: null });
          return;
        }
        try {
          const report = JSON.parse(stdout) as Record<string, unknown>;
          resolve({ code, signal, seconds, report });
        } catch {
          reject(
            new Error(`import: no JSON report (exit ${code}):\n${stdout}\n${stderr.slice(-4000)}`),
          );
        }
      });
    });
  });
}
