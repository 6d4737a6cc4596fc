import { type ChildProcess, spawn } from "node:child_process";
import { open, rm, writeFile } from "node:fs/promises";
import { CustosError } from "../../src/errors/index.ts";
import { readPidFile } from "./readPidFile.ts";

/** A process of a local network: a node or a data service. */
export interface LocalProcessSpec {
  /** How messages name it: `hospital-0`, `hospital-0 data service`. */
  readonly label: string;
  /** Its node name, `details.node` of the errors. */
  readonly node: string;
  /** The arguments after `process.execPath`. */
  readonly args: readonly string[];
  readonly pidFile: string;
  /** Its output is appended here. */
  readonly logFile: string;
  /** Base URL of its HTTP server: started once `<url>/liveness` answers 2xx. */
  readonly url: string;
  readonly startTimeoutMs: number;
}

/** A started local process. */
export interface LocalProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
}

async function serving(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/liveness`);
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Spawns a process with the project's Node, its output appended to its log, its pid in its
 * pid file (removed when it exits), and resolves once it answers `/liveness`.
 *
 * @throws CustosError `NODE_START_FAILED` when a live process already holds the pid file, or
 *   the process exits or stays silent past `startTimeoutMs` (naming its log).
 * @example
 * ```ts
 * const { child, exited } = await startLocalProcess({ label, node, args, pidFile, logFile, url, startTimeoutMs });
 * ```
 */
export async function startLocalProcess(spec: LocalProcessSpec): Promise<LocalProcess> {
  const running = await readPidFile(spec.pidFile);
  if (running !== undefined) {
    throw new CustosError(
      "NODE_START_FAILED",
      `${spec.label} is already running (pid ${running})`,
      {
        details: { node: spec.node, pid: running, file: spec.pidFile },
      },
    );
  }
  const log = await open(spec.logFile, "a");
  const child = spawn(process.execPath, spec.args, { stdio: ["ignore", log.fd, log.fd] });
  await log.close();
  const exited = exitOf(child);
  await writeFile(spec.pidFile, `${child.pid}\n`);
  void exited.then(() => rm(spec.pidFile, { force: true }));
  const deadline = Date.now() + spec.startTimeoutMs;
  let ended: number | string | undefined;
  void exited.then((code) => {
    ended = code;
  });
  while (!(await serving(spec.url))) {
    if (ended !== undefined || Date.now() > deadline) {
      if (ended === undefined) child.kill("SIGKILL");
      throw new CustosError(
        "NODE_START_FAILED",
        `${spec.label} did not start (${ended === undefined ? "timed out" : `exited with ${ended}`}); see ${spec.logFile}`,
        { details: { node: spec.node, log: spec.logFile, exit: ended ?? null } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, exited };
}
