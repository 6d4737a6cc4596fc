import { cp, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnDevNode } from "../../scripts/spawnDevNode.ts";
import {
  blockHashes,
  cliErrorCode,
  devNodeArgs,
  flipBytes,
  headNumber,
  runCustos,
  sendGrants,
  startFailure,
  waitFor,
  writeAheadLogs,
} from "./faultHarness.ts";

/**
 * Damage to a stopped node's chain database, on real node processes: a dev node commits
 * blocks of consent grants and stops; each case damages a copy of its data directory the way
 * the probes did, then starts `custos node` on it. The node must refuse to start with
 * CHAIN_DB_CORRUPT naming what is missing (never serve or extend a shorter or holed chain),
 * keep refusing on the next start, and `custos db check` must name the same damage.
 */
let root: string;
let base: string;
/** Block hashes 0..head as the intact node served them. */
let served: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "custos-faults-db-"));
  base = join(root, "base");
  const node = await spawnDevNode({ dataDir: base });
  const load = sendGrants(node, await node.devKeys());
  await waitFor(
    async () => (await headNumber(node.rpcUrl)) >= 6 && load.receipts.size >= 8,
    30_000,
  );
  await load.stop();
  served = await blockHashes(node.rpcUrl);
  expect(await node.stop()).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function copyOfBase(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(base, dir, { recursive: true });
  return dir;
}

async function refusedStart(dir: string) {
  const run = await runCustos(devNodeArgs(dir));
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).not.toMatch(/^JSON-RPC/m);
  expect(cliErrorCode(run.stderr)).toBe("CHAIN_DB_CORRUPT");
  const failure = startFailure(run.stderr);
  expect(failure?.code).toBe("CHAIN_DB_CORRUPT");
  return failure?.details ?? {};
}

describe("damage to a stopped node's database", () => {
  it("64 flipped bytes in the middle of the write-ahead log: the start fails naming the missing block, every time, and db check names it", async () => {
    const dir = await copyOfBase("flip");
    const [log] = await writeAheadLogs(join(dir, "chain"));
    const size = (await stat(log as string)).size;
    await flipBytes(log as string, Math.floor(size / 2), 64);

    const details = await refusedStart(dir);
    const number = Number(details.blockNumber);
    expect(number).toBeGreaterThanOrEqual(0);
    expect(number).toBeLessThan(served.length);
    // The block is named by the hash the intact node served for that number.
    if (details.blockHash !== undefined) expect(details.blockHash).toBe(served[number]);
    expect(details.part).toBeTypeOf("string");

    // LevelDB dropped the damaged records when it opened the log; the marker still knows.
    const again = await refusedStart(dir);
    expect(again.blockNumber).toBe(details.blockNumber);

    const check = await runCustos(["db", "check", "--data-dir", dir]);
    expect(check.code).toBe(1);
    expect(cliErrorCode(check.stderr)).toBe("CHAIN_DB_CORRUPT");
    expect(check.stdout).toContain(`problem         block ${number}`);
  }, 60_000);

  it("a truncated write-ahead log: the node refuses to start from a head older than its marker", async () => {
    const dir = await copyOfBase("truncated");
    const [log] = await writeAheadLogs(join(dir, "chain"));
    await truncate(log as string, Math.floor((await stat(log as string)).size / 2));
    const details = await refusedStart(dir);
    expect(details.part).toBe("head");
    expect(Number(details.blockNumber)).toBeLessThan(served.length);
  }, 30_000);

  it("a damaged CURRENT file is CHAIN_DB_CORRUPT naming CURRENT, and the database files are kept", async () => {
    const dir = await copyOfBase("current");
    await writeFile(join(dir, "chain", "CURRENT"), "\u0000garbage");
    const before = (await readdir(join(dir, "chain"))).filter((f) => /\.(log|ldb)$/.test(f));
    const details = await refusedStart(dir);
    expect(details.file).toBe("CURRENT");
    const after = (await readdir(join(dir, "chain"))).filter((f) => /\.(log|ldb)$/.test(f));
    expect(after).toEqual(before);
  }, 30_000);

  it("a damaged MANIFEST is CHAIN_DB_CORRUPT naming the MANIFEST file", async () => {
    const dir = await copyOfBase("manifest");
    const manifest = (await readFile(join(dir, "chain", "CURRENT"), "latin1")).trim();
    const path = join(dir, "chain", manifest);
    const size = (await stat(path)).size;
    await flipBytes(path, Math.floor(size / 2), Math.min(16, size - Math.floor(size / 2)));
    const details = await refusedStart(dir);
    expect(details.file).toBe(manifest);
  }, 30_000);

  it("db check passes on an intact copy (what a restore from backup gives)", async () => {
    const dir = await copyOfBase("intact");
    const check = await runCustos(["db", "check", "--data-dir", dir]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(`head            ${served.length - 1} ${served.at(-1)}`);
    expect(check.stdout).toContain("no damage found");
  }, 30_000);
});
