/**
 * Starts `custos node --dev` as a real child process on 127.0.0.1 (ephemeral port) with the
 * project's Node, waits for its JSON-RPC line, and stops or kills it. Used by the demo
 * (`npm start`) and the end-to-end tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { custosNodeArguments } from "../nodes/localnet/index.ts";
import type { DevKeysFile } from "../nodes/node/index.ts";

/** A running node process. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  /** The dev chain's keys file (dev nodes only). */
  devKeys(): Promise<DevKeysFile>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

/** Options of {@link spawnNode}. */
export interface SpawnNodeOptions {
  readonly dataDir: string;
  /** Extra arguments after `custos node --dev --data-dir DIR --rpc-port 0`. */
  readonly args?: readonly string[];
  /** Give up waiting for the JSON-RPC line after this long. */
  readonly startTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode);
  }
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/**
 * Spawns a dev node and resolves once it serves JSON-RPC. `SpawnNodeOptions.args` come after
 * `custos node --dev --data-dir DIR --rpc-port 0 --log-level warn`.
 *
 * @example
 * ```ts
 * const node = await spawnDevNode({ dataDir });
 * const provider = new JsonRpcProvider(node.rpcUrl);
 * await node.stop();
 * ```
 */
export async function spawnDevNode(options: SpawnNodeOptions): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    custosNodeArguments([
      "--dev",
      "--data-dir",
      options.dataDir,
      "--rpc-port",
      "0",
      "--log-level",
      "warn",
      ...(options.args ?? []),
    ]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`node did not start in time\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`),
      );
    }, options.startTimeoutMs ?? 60_000);
    const onData = () => {
      const match = /^JSON-RPC\s+(http:\/\/\S+)$/m.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before serving\nstderr:\n${err.slice(-4000)}`));
    });
  });
  return {
    child,
    rpcUrl,
    wsUrl: rpcUrl.replace(/^http/, "ws"),
    stdout: () => out,
    async devKeys() {
      return JSON.parse(await readFile(join(options.dataDir, "dev-keys.json"), "utf8"));
    },
    async stop() {
      const done = exited(child);
      child.kill("SIGTERM");
      return done;
    },
    async kill() {
      const done = exited(child);
      child.kill("SIGKILL");
      await done;
    },
  };
}
