import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { mulberry32 } from "../nodes/crashHarness.ts";
import { type GrantLoad, receiptBlock, runCustos, sendGrants } from "./faultHarness.ts";

/**
 * SIGTERM and SIGKILL of a real node process while it commits blocks of consent grants.
 * After each: the node restarts (its database agrees with its head marker), every receipt a
 * client saw is still served in the same block, and `custos db check` finds no damage.
 */
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "custos-faults-commit-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function loaded(dataDir: string): Promise<{ node: NodeProcess; load: GrantLoad }> {
  const node = await spawnDevNode({ dataDir });
  const load = sendGrants(node, await node.devKeys(), 6);
  await expect
    .poll(() => load.receipts.size, { timeout: 30_000, interval: 100 })
    .toBeGreaterThan(4);
  return { node, load };
}

async function expectKept(dataDir: string, seen: ReadonlyMap<string, number>): Promise<void> {
  const node = await spawnDevNode({ dataDir });
  try {
    for (const [hash, block] of seen)
      expect(await receiptBlock(node.rpcUrl, hash), hash).toBe(block);
  } finally {
    expect(await node.stop()).toBe(0);
  }
  const check = await runCustos(["db", "check", "--data-dir", dataDir]);
  expect(check.code, check.stderr).toBe(0);
}

describe("interrupted commits", () => {
  it("SIGTERM while committing: the node stops within a few seconds and keeps every block a client saw", async () => {
    const dataDir = join(root, "sigterm");
    const { node, load } = await loaded(dataDir);
    const sent = performance.now();
    expect(await node.stop()).toBe(0);
    expect(performance.now() - sent).toBeLessThan(5_000);
    await load.stop();
    await expectKept(dataDir, load.receipts);
  }, 90_000);

  it("SIGKILL while committing, twice: each restart resumes on a committed head that agrees with the marker", async () => {
    const dataDir = join(root, "sigkill");
    const random = mulberry32(20261206);
    const seen = new Map<string, number>();
    for (let round = 0; round < 2; round++) {
      const { node, load } = await loaded(dataDir);
      // Kill at a seeded moment within the next block periods.
      await new Promise((resolve) => setTimeout(resolve, 200 + random() * 1500));
      await node.kill();
      await load.stop();
      for (const [hash, block] of load.receipts) seen.set(hash, block);
    }
    await expectKept(dataDir, seen);
  }, 120_000);
});
