import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type LocalNetwork, localNetworkFiles } from "./LocalNetwork.ts";
import { processAlive, readPidFile } from "./readPidFile.ts";

/** What {@link stopLocalNetwork} did to one node. */
export interface StoppedNode {
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

/**
 * Stops the running nodes of a local network by their pid files: SIGTERM to each at once,
 * then SIGKILL to any still running after `graceMs`; pid files are removed.
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
  return Promise.all(
    network.nodes.map(async (node): Promise<StoppedNode> => {
      const pidFile = join(node.dir, localNetworkFiles.pid);
      const pid = await readPidFile(pidFile);
      if (pid === undefined) {
        await rm(pidFile, { force: true });
        return { name: node.name, outcome: "notRunning" };
      }
      process.kill(pid, "SIGTERM");
      let outcome: StoppedNode["outcome"] = "stopped";
      if (!(await gone(pid, Date.now() + graceMs))) {
        process.kill(pid, "SIGKILL");
        await gone(pid, Date.now() + 5_000);
        outcome = "killed";
      }
      await rm(pidFile, { force: true });
      return { name: node.name, outcome, pid };
    }),
  );
}
