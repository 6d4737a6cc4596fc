import { readFile } from "node:fs/promises";

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The pid in a node's pid file when that process still runs; undefined when the file is
 * missing, does not hold a pid, or names a process that is gone (a node killed with -9
 * leaves its file behind).
 *
 * @example
 * ```ts
 * const pid = await readPidFile(join(node.dir, "node.pid"));
 * ```
 */
export async function readPidFile(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return processAlive(pid) ? pid : undefined;
}
