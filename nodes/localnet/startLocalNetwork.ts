import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { custosNodeArguments } from "./custosNodeArguments.ts";
import { type LocalNetwork, type LocalNetworkNode, localNetworkFiles } from "./LocalNetwork.ts";
import { startLocalProcess } from "./startLocalProcess.ts";

/** A node process of a running local network. */
export interface LocalNodeProcess {
  readonly node: LocalNetworkNode;
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<rpcPort>`. */
  readonly rpcUrl: string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Options of {@link startLocalNetwork}. */
export interface StartLocalNetworkOptions {
  /** Log level of the nodes (their logs go to `<node dir>/node.log`). */
  readonly logLevel?: string;
  /** Give up on a node that does not serve JSON-RPC within this long. */
  readonly startTimeoutMs?: number;
  /** Start only these nodes (by name); default all. */
  readonly only?: readonly string[];
}

/**
 * Starts a node process for `node`: `custos node --config <its config>` with the project's
 * Node, its output appended to its `node.log`, its pid in `node.pid` (removed when it exits);
 * resolves once it answers `/liveness`.
 *
 * @throws CustosError `NODE_START_FAILED` when a live process already holds the node's pid
 *   file, or the process exits or stays silent past `startTimeoutMs` (naming its log).
 * @example
 * ```ts
 * const started = await startLocalNode(network.nodes[0]);
 * ```
 */
export async function startLocalNode(
  node: LocalNetworkNode,
  options: StartLocalNetworkOptions = {},
): Promise<LocalNodeProcess> {
  const rpcUrl = `http://127.0.0.1:${node.rpcPort}`;
  const { child, exited } = await startLocalProcess({
    label: node.name,
    node: node.name,
    args: custosNodeArguments([
      "--config",
      node.configFile,
      "--log-level",
      options.logLevel ?? "info",
    ]),
    pidFile: join(node.dir, localNetworkFiles.pid),
    logFile: join(node.dir, localNetworkFiles.log),
    url: rpcUrl,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
  });
  return { node, child, rpcUrl, exited };
}

/**
 * Starts every node of a local network (or those named in `only`) as separate processes on
 * 127.0.0.1, all at once, and resolves when each serves; on a failure the ones started are
 * stopped again.
 *
 * @throws CustosError from {@link startLocalNode}.
 * @example
 * ```ts
 * const processes = await startLocalNetwork(await createLocalNetwork({ dir, hospitals: 4 }));
 * ```
 */
export async function startLocalNetwork(
  network: LocalNetwork,
  options: StartLocalNetworkOptions = {},
): Promise<LocalNodeProcess[]> {
  const started: LocalNodeProcess[] = [];
  const nodes = network.nodes.filter((n) => options.only?.includes(n.name) ?? true);
  try {
    // In parallel: a validator waits for a quorum of peers before blocks commit, and each
    // process takes seconds to load.
    const results = await Promise.allSettled(nodes.map((node) => startLocalNode(node, options)));
    for (const result of results) if (result.status === "fulfilled") started.push(result.value);
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    return started;
  } catch (error) {
    for (const process of started) process.child.kill("SIGTERM");
    await Promise.all(started.map((process) => process.exited));
    throw error;
  }
}
