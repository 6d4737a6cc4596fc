import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CustosError } from "../../src/errors/index.ts";
import { storageError } from "./storageError.ts";

/** The pid file that claims a data directory for one process. */
export const DATA_DIR_PID_FILE = "custos.pid";

/** A claimed data directory. */
export interface DataDirLock {
  /** Path of the pid file. */
  readonly file: string;
  /** Removes the pid file (if it is still this process's). */
  release(): Promise<void>;
}

/** Data directories claimed by this process (a pid file cannot tell two claims of one pid apart). */
const claimed = new Set<string>();

function inUse(dataDir: string, pid: number): CustosError {
  return new CustosError(
    "NODE_START_FAILED",
    `the data directory ${dataDir} is in use by another process (pid ${pid})`,
    { details: { field: "dataDir", path: dataDir, reason: "in use", pid } },
  );
}

async function ownerOf(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(file, "utf8"), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claims a data directory for this process before anything in it is read or written: creates
 * `custos.pid` (exclusively) holding this process's id. A pid file left by a process that no
 * longer runs (a crash, kill -9) is replaced. Two nodes on one directory are thus refused
 * with the other one's pid; the chain database's own LevelDB lock stays the last line of
 * defence (for example if the pid was reused by an unrelated process, which then shows
 * here as "in use": remove the stale `custos.pid` after checking that pid).
 *
 * @throws CustosError `NODE_START_FAILED` with details `reason: "in use"` and `pid` when a
 *   running process holds the directory; with the errno code when the file cannot be created.
 * @example
 * ```ts
 * const lock = await lockDataDir("/var/lib/custos");
 * // … run the node …
 * await lock.release();
 * ```
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const directory = resolve(dataDir);
  const file = join(directory, DATA_DIR_PID_FILE);
  if (claimed.has(directory)) throw inUse(directory, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: "wx", mode: 0o644 });
      claimed.add(directory);
      return {
        file,
        async release() {
          if (!claimed.delete(directory)) return;
          if ((await ownerOf(file)) === process.pid) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw storageError(file, error, "cannot create");
      }
    }
    const owner = await ownerOf(file);
    if (owner !== undefined && owner !== process.pid && isRunning(owner)) {
      throw inUse(directory, owner);
    }
    // Left by a process that is gone (or unreadable): replace it.
    await rm(file, { force: true });
  }
  throw new CustosError(
    "NODE_START_FAILED",
    `the data directory ${directory} is in use by another process (its pid file keeps changing)`,
    { details: { field: "dataDir", path: directory, reason: "in use" } },
  );
}
