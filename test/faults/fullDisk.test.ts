import { execFile } from "node:child_process";
import { mkdtemp, open, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { headNumber, receiptBlock, runCustos, sendGrants, startNodeChild } from "./faultHarness.ts";

/**
 * A full disk under a real node process: the data directory lives on a small tmpfs (mounted
 * where root may mount; skipped with the reason elsewhere), a file then takes all its free
 * space while the node commits blocks. The node must say so (CHAIN_DB_COMMIT_FAILED in its
 * log), report not ready while staying alive, stop on SIGTERM within a few seconds, and start
 * again once space is freed on a head that agrees with its marker, with no damage.
 */
const run = promisify(execFile);
const SIZE = "48m";
/** Smaller and smaller writes, to take the last free pages too. */
const FILL_SIZES = [65536, 4096, 512, 1] as const;

async function tryMount(): Promise<{ dir: string; reason?: string }> {
  const dir = await mkdtemp(join(tmpdir(), "custos-faults-disk-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${SIZE}`, "tmpfs", dir]);
    return { dir };
  } catch (error) {
    await rmdir(dir);
    const reason = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    return { dir, reason };
  }
}

const mount = await tryMount();
if (mount.reason !== undefined) {
  console.warn(`full-disk fault test skipped: cannot mount a tmpfs here (${mount.reason})`);
}

afterAll(async () => {
  if (mount.reason !== undefined) return;
  await run("umount", [mount.dir]).catch(() => undefined);
  await rmdir(mount.dir).catch(() => undefined);
});

/** Writes zeros to `path` until the file system is full; returns the bytes written. */
async function fillDisk(path: string): Promise<number> {
  const handle = await open(path, "w");
  const chunk = Buffer.alloc(1 << 20);
  let written = 0;
  try {
    for (;;) {
      const { bytesWritten } = await handle.write(chunk, 0, chunk.length);
      written += bytesWritten;
      if (bytesWritten < chunk.length) break;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
  // Whatever the last page held.
  for (const size of FILL_SIZES) {
    const small = await open(`${path}.${size}`, "w");
    try {
      for (;;) await small.write(Buffer.alloc(size));
    } catch {
      // ENOSPC: full at this granularity.
    } finally {
      await small.close();
    }
  }
  return written;
}

async function freeDisk(dir: string): Promise<void> {
  await rm(join(dir, "filler"), { force: true });
  for (const size of FILL_SIZES) await rm(join(dir, `filler.${size}`), { force: true });
}

describe.skipIf(mount.reason !== undefined)(
  `a full disk (tmpfs of ${SIZE}${mount.reason === undefined ? "" : `; skipped: ${mount.reason}`})`,
  () => {
    it("fails commits loudly, reports not ready, stops on SIGTERM and restarts cleanly once space is freed", async () => {
      const dataDir = join(mount.dir, "data");
      const node = await startNodeChild(dataDir);
      const load = sendGrants(node, await node.devKeys(), 6);
      await expect.poll(() => load.receipts.size, { timeout: 30_000 }).toBeGreaterThan(2);
      await fillDisk(join(mount.dir, "filler"));
      await expect
        .poll(async () => (await fetch(`${node.rpcUrl}/readiness`)).status, {
          timeout: 15_000,
          interval: 200,
        })
        .toBe(503);
      expect((await fetch(`${node.rpcUrl}/liveness`)).status).toBe(200);
      expect(node.stderr()).toContain('"code":"CHAIN_DB_COMMIT_FAILED"');
      const headWhenFull = await headNumber(node.rpcUrl);
      await load.stop();
      const sent = performance.now();
      await node.stop();
      expect(performance.now() - sent).toBeLessThan(5_000);

      await freeDisk(mount.dir);
      const restarted = await startNodeChild(dataDir);
      expect(await headNumber(restarted.rpcUrl)).toBeGreaterThanOrEqual(headWhenFull);
      for (const [hash, block] of load.receipts) {
        expect(await receiptBlock(restarted.rpcUrl, hash), hash).toBe(block);
      }
      expect(await restarted.stop()).toBe(0);
      const check = await runCustos(["db", "check", "--data-dir", dataDir]);
      expect(check.code, check.stderr).toBe(0);
    }, 120_000);
  },
);
