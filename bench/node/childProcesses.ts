/**
 * Chain processes of the node benchmark: spawned with the project's Node, their output read
 * line by line (kept in a short ring for error messages), and every one of them killed when
 * the benchmark exits for any reason — a benchmark that dies must not leave chains running on
 * a shared machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/** A running child process. */
export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the first output line (stdout or stderr) matching `pattern`, seen or future. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** The last lines the process wrote, for error messages. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves when the process has exited, with its exit code. */
  readonly exited: Promise<number | null>;
  /** CPU time the process has used so far (user + system, all threads), in seconds. */
  cpuSeconds(): number;
}

/** Kernel clock ticks per second of /proc's times (USER_HZ: 100 on every Linux ABI). */
const USER_HZ = 100;

/**
 * CPU seconds of process `pid` from /proc/<pid>/stat (utime + stime). On a machine shared
 * with other work, throughput per CPU-second varies far less than per wall-clock second.
 */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

const live = new Set<ChildProcess>();
const RING = 200;

function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

let handlersInstalled = false;

/** Kills every child on exit, on SIGINT/SIGTERM and on an uncaught error, once. */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * Spawns `args` under this process's Node binary (Node 22 from node_modules when run through
 * npm scripts). `echo` copies the child's lines to stderr, prefixed with its name. With
 * BENCH_CPU_PROF_DIR set, the child writes a V8 CPU profile there when it exits cleanly
 * (Node refuses `--cpu-prof` in NODE_OPTIONS).
 *
 * @example
 * ```ts
 * const child = spawnChild("ganache", ["bench/node/ganacheServer.ts", "{}"], { echo: false });
 * const [, url] = await child.waitForLine(/^JSON-RPC\s+(\S+)$/, 30_000);
 * ```
 */
export function spawnChild(
  name: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly echo: boolean },
): ChildHandle {
  installExitHandlers();
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...args], {
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  live.add(child);
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > RING) lines.shift();
    if (options.echo) process.stderr.write(`[${name}] ${line}\n`);
    for (const watch of watchers) watch(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  const recentOutput = () => lines.slice(-40).join("\n");
  const pid = child.pid;
  return {
    name,
    pid,
    exited,
    recentOutput,
    cpuSeconds: () => procCpuSeconds(pid),
    waitForLine(pattern, timeoutMs) {
      for (const line of lines) {
        const match = line.match(pattern);
        if (match !== null) return Promise.resolve(match);
      }
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          watchers.delete(watch);
        };
        const watch = (line: string) => {
          const match = line.match(pattern);
          if (match === null) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`${name}: no line ${pattern} within ${timeoutMs} ms\n${recentOutput()}`),
          );
        }, timeoutMs);
        watchers.add(watch);
        void exited.then((code) => {
          if (!watchers.has(watch)) return;
          done();
          reject(new Error(`${name}: exited (${code}) before ${pattern}\n${recentOutput()}`));
        });
      });
    },
    async stop(graceMs = 20_000) {
      if (!live.has(child)) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
