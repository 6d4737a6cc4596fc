import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type LocalNetwork, localNetworkFiles } from "./LocalNetwork.ts";
import { readLocalDataServices } from "./readLocalDataServices.ts";
import { processAlive, readPidFile } from "./readPidFile.ts";

/** What {@link stopLocalNetwork} did to one node or data service. */
export interface StoppedNode {
  /** The node's name, or `<hospital>/data-service` for a hospital's data service. */
  readonly name: string;
  /** `stopped`: exited after SIGTERM; `killed`: SIGKILL after the grace; `notRunning`. */
  readonly outcome: "stopped" | "killed" | "notRunning";
  readonly pid?: number;
}

/** Default wait after SIGTERM before SIGKILL, in ms (a node stops within 10 s itself). */
export const STOP_GRACE_MS = 15_000;

async function gone(pid: number, until: number): Promise<boolean> {
  while (Date.now() < until) {
    if (!processAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !processAlive(pid);
}

async function stopByPidFile(name: string, pidFile: string, graceMs: number): Promise<StoppedNode> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined) {
    await rm(pidFile, { force: true });
    return { name, outcome: "notRunning" };
  }
  process.kill(pid, "SIGTERM");
  let outcome: StoppedNode["outcome"] = "stopped";
  if (!(await gone(pid, Date.now() + graceMs))) {
    process.kill(pid, "SIGKILL");
    await gone(pid, Date.now() + 5_000);
    outcome = "killed";
  }
  await rm(pidFile, { force: true });
  return { name, outcome, pid };
}

/**
 * Stops the running processes of a local network by their pid files: first the hospitals'
 * data services (when the network has them), so none is left reading a node that is gone,
 * then the nodes. Within each group SIGTERM goes to all at once, then SIGKILL to any still
 * running after `graceMs`; pid files are removed.
 *
 * @example
 * ```ts
 * const report = await stopLocalNetwork(network);
 * ```
 */
export async function stopLocalNetwork(
  network: LocalNetwork,
  graceMs = STOP_GRACE_MS,
): Promise<StoppedNode[]> {
  const data = await readLocalDataServices(network.dir);
  const services = await Promise.all(
    (data?.services ?? []).map((service) =>
      stopByPidFile(
        `${service.name}/data-service`,
        join(service.dir, localNetworkFiles.dataServicePid),
        graceMs,
      ),
    ),
  );
  const nodes = await Promise.all(
    network.nodes.map((node) =>
      stopByPidFile(node.name, join(node.dir, localNetworkFiles.pid), graceMs),
    ),
  );
  return [...services, ...nodes];
}
