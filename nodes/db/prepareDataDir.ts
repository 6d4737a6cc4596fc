import { mkdir, open, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { CustosError } from "../../src/errors/index.ts";
import { storageError } from "./storageError.ts";

async function directoryExists(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return true;
    throw new CustosError(
      "NODE_START_FAILED",
      `cannot use ${path}: it is not a directory (ENOTDIR)`,
      {
        details: { field: "dataDir", path, code: "ENOTDIR", reason: "not a directory" },
      },
    );
  } catch (error) {
    if (error instanceof CustosError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw storageError(path, error);
  }
}

/**
 * Makes sure `path` is a directory the node can write in, and fails fast, naming the path
 * and the cause, when it is not: creates the missing directories one level at a time (never
 * Node's recursive `mkdir`, which loops for ever on paths like `/proc/custos` where the parent
 * exists but refuses children), then creates, syncs and removes a probe file, so a read-only
 * or full file system, a pseudo file system or missing permissions are found before anything
 * is stored.
 *
 * @throws CustosError `NODE_START_FAILED` with details `path`, `code` (errno) and `reason`.
 * @example
 * ```ts
 * await prepareDataDir("/var/lib/custos");
 * ```
 */
export async function prepareDataDir(path: string): Promise<void> {
  const absolute = resolve(path);
  const missing: string[] = [];
  for (let current = absolute; !(await directoryExists(current)); ) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const directory of missing) {
    try {
      await mkdir(directory);
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === "EEXIST" &&
        (await directoryExists(directory))
      ) {
        continue;
      }
      throw storageError(directory, error, "cannot create");
    }
  }
  const probe = join(absolute, `.custos-probe-${process.pid}`);
  try {
    const handle = await open(probe, "w");
    try {
      await handle.writeFile("probe");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(probe);
  } catch (error) {
    await rm(probe, { force: true }).catch(() => undefined);
    throw storageError(absolute, error, "cannot write in");
  }
}
