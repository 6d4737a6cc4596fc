import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Lowers the scheduling priority of the calling thread to nice value `niceness` (0–19), so
 * that a worker thread running clients' calls yields the CPU to the node's main thread,
 * which produces blocks and answers `/liveness`. Linux keeps a nice value per thread, so the
 * thread's own id (from `/proc/thread-self`) is reniced and the rest of the process keeps
 * its priority. Elsewhere `setpriority` would renice the whole process, so nothing is done
 * there; lowering one's own priority needs no privilege.
 *
 * @returns the thread id reniced, or `undefined` where nothing was done (`niceness` 0, or
 *   not Linux).
 * @example
 * ```ts
 * lowerThreadPriority(19); // inside a worker thread
 * ```
 */
export function lowerThreadPriority(niceness: number): number | undefined {
  if (niceness === 0 || process.platform !== "linux") return undefined;
  const thread = Number(readlinkSync("/proc/thread-self").split("/").pop());
  setPriority(thread, niceness);
  return thread;
}
