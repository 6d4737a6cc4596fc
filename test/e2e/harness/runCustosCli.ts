import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { LandedLines } from "../../../src/consentImport/index.ts";

/** The CLI's entry point, run as `node nodes/bin/custos.ts` (no npm or npx in between). */
const CLI = new URL("../../../nodes/bin/custos.ts", import.meta.url).pathname;

/** How a CLI process ended, with everything it printed. */
export interface CliExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process: the child (to signal it) and its end. */
export interface CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<CliExit>;
}

/**
 * Starts `custos <args>` as a real process with `env` added to this process's environment,
 * collecting its output for the test to assert on.
 *
 * @example
 * ```ts
 * const run = runCustosCli(["consent", "import", file, ...], { CUSTOS_RECORDER_KEY: key });
 * run.child.kill("SIGINT");
 * expect((await run.done).code).toBe(130);
 * ```
 */
export function runCustosCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliExit>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/**
 * How many rows the import checkpoint at `path` records as landed: 0 while it is not written
 * yet or is caught mid-write. The checkpoint is first written as a window is sent, before
 * any row lands, so a test that interrupts "mid-way" waits for this to pass 0.
 */
export const landedInCheckpoint = (path: string): Promise<number> =>
  readFile(path, "utf8").then(
    (text) => {
      try {
        return LandedLines.fromCheckpoint(text).count;
      } catch {
        return 0;
      }
    },
    () => 0,
  );
