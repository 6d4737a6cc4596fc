/**
 * Reusable kill -9 harness: runs a child process (the project's Node, `process.execPath`)
 * that reports progress lines on stdout, SIGKILLs it at pseudo-random moments, and after each
 * kill runs the caller's check on the data it left behind.
 */
import { spawn } from "node:child_process";

/** Options of {@link runCrashLoop}. */
export interface CrashLoopOptions {
  /** Script (TypeScript, run by the project's Node) and its arguments. */
  readonly script: string;
  readonly args: readonly string[];
  /** Number of kills. */
  readonly kills: number;
  /** Seed of the kill delays. */
  readonly seed: number;
  /** Kill delay after the child printed `ready`, drawn from [min, max] ms. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Called after each kill with the child's stdout lines; must throw when the left-behind
   * state is wrong.
   */
  readonly check: (round: number, lines: readonly string[]) => Promise<void>;
}

/**
 * A small seeded PRNG (mulberry32): uniform doubles in [0, 1), the same sequence per seed.
 *
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // the same value on every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runOnce(options: CrashLoopOptions, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script, ...options.args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (timer === undefined && out.includes("ready\n")) {
        timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== "SIGKILL") {
        reject(new Error(`child exited before the kill: ${err.slice(-2000)}`));
        return;
      }
      resolve(out.split("\n").filter((l) => l !== ""));
    });
  });
}

/**
 * Runs the kill loop; resolves after `kills` rounds whose checks all passed.
 *
 * @example
 * ```ts
 * await runCrashLoop({ script, args: [dir], kills: 5, seed: 1, minDelayMs: 200, maxDelayMs: 1500, check });
 * ```
 */
export async function runCrashLoop(options: CrashLoopOptions): Promise<void> {
  const random = mulberry32(options.seed);
  for (let round = 0; round < options.kills; round++) {
    const delay =
      options.minDelayMs + Math.floor(random() * (options.maxDelayMs - options.minDelayMs));
    const lines = await runOnce(options, delay);
    await options.check(round, lines);
  }
}
