import { open } from "node:fs/promises";

/**
 * Flushes a directory's entries (file creations, renames, removals) to disk with `fsync` on
 * the directory itself, so a rename made durable here survives a power cut. POSIX only: on
 * a platform that cannot open a directory for syncing (Windows), it does nothing.
 *
 * @example
 * ```ts
 * await rename(temporary, final);
 * await syncDirectory(dirname(final));
 * ```
 */
export async function syncDirectory(path: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
