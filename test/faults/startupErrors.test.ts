import { spawnSync } from "node:child_process";
import { access, chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnDevNode } from "../../scripts/spawnDevNode.ts";
import {
  cliErrorCode,
  devNodeArgs,
  headNumber,
  runCustos,
  startFailure,
  writeDevChain,
} from "./faultHarness.ts";

/**
 * Start-up failures of real `custos node` processes: each must fail fast with a typed error
 * that names the path, the cause or the other process, and SIGTERM must stop a starting node
 * within a few seconds.
 */
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "custos-faults-start-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function failedStart(args: readonly string[], uid?: number) {
  const run = await runCustos(args, {
    timeoutMs: 20_000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).not.toMatch(/^JSON-RPC/m);
  const failure = startFailure(run.stderr);
  expect(cliErrorCode(run.stderr)).toBe(failure?.code);
  return { run, failure };
}

describe("unusable data directories fail fast with NODE_START_FAILED", () => {
  it("/proc/custos (it used to spin at 99 % CPU ignoring SIGTERM)", async () => {
    const { run, failure } = await failedStart(devNodeArgs("/proc/custos"));
    expect(failure?.code).toBe("NODE_START_FAILED");
    expect(failure?.details.path).toBe("/proc/custos");
    expect(failure?.details.code).toBeTypeOf("string");
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);

  it("a path under a regular file (ENOTDIR)", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "");
    const { failure } = await failedStart(devNodeArgs(join(file, "data")));
    expect(failure?.code).toBe("NODE_START_FAILED");
    expect(failure?.details.code).toBe("ENOTDIR");
  }, 30_000);

  // Needs root to switch to nobody, and nobody able to run this Node binary (not so for a
  // checkout inside a 0700 folder, e.g. a mktemp directory): skipped otherwise.
  const nobodyRunsNode =
    process.getuid?.() === 0 &&
    spawnSync(process.execPath, ["-e", ""], { uid: 65534, gid: 65534 }).status === 0;
  it.skipIf(!nobodyRunsNode)(
    "a directory the node's user may not write in (EACCES; run as nobody)",
    async () => {
      const locked = join(root, "locked");
      await mkdir(locked, { mode: 0o755 });
      await chmod(root, 0o755);
      const { failure } = await failedStart(devNodeArgs(join(locked, "data")), 65534);
      expect(failure?.code).toBe("NODE_START_FAILED");
      expect(failure?.details.code).toBe("EACCES");
      expect(failure?.details.path).toBe(join(locked, "data"));
    },
    30_000,
  );
});

describe("a port in use", () => {
  let blocker: Server;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: "127.0.0.1", port: 0 }, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it("says address in use, before anything is written to the data directory", async () => {
    const port = (blocker.address() as { port: number }).port;
    const dataDir = join(root, "never-created");
    const { failure } = await failedStart([
      "node",
      "--dev",
      "--data-dir",
      dataDir,
      "--rpc-port",
      String(port),
      "--log-level",
      "warn",
    ]);
    expect(failure?.code).toBe("NODE_START_FAILED");
    expect(failure?.details.reason).toBe("address in use");
    await expect(access(dataDir)).rejects.toThrow();
  }, 30_000);
});

describe("a second process on the same data directory", () => {
  it("is told the directory is in use, with the pid of the running node", async () => {
    const dataDir = join(root, "shared");
    const first = await spawnDevNode({ dataDir });
    try {
      const { failure } = await failedStart(devNodeArgs(dataDir));
      expect(failure?.code).toBe("NODE_START_FAILED");
      expect(failure?.details.reason).toBe("in use");
      expect(failure?.details.pid).toBe(first.child.pid);
      // The running node was not disturbed.
      const answer = await fetch(first.rpcUrl.replace(/\/?$/, "/readiness"));
      expect(answer.status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // Its pid file is gone after a clean stop: the next start claims the directory.
    expect(await readdir(dataDir)).not.toContain("custos.pid");
  }, 60_000);
});

describe("SIGTERM during start-up", () => {
  it("stops the node within a few seconds whenever it arrives, and the directory starts cleanly afterwards", async () => {
    const dataDir = join(root, "sigterm");
    // Module loading, data directory and chain set-up, the first blocks: seen at ~0.5, ~2.5, ~3 s here.
    for (const delayMs of [500, 2500, 3200]) {
      const run = await runCustos(devNodeArgs(dataDir), {
        timeoutMs: 30_000,
        onSpawn: (child) => {
          setTimeout(() => child.kill("SIGTERM"), delayMs);
        },
      });
      expect(run.ms - delayMs, `exit after a SIGTERM sent at ${delayMs} ms`).toBeLessThan(5_000);
      // Ended by the signal itself (before the handlers are installed), a start-up stopped
      // with NODE_ABORTED, or a clean stop.
      expect([0, 1, null]).toContain(run.code);
      if (run.code === 1) expect(cliErrorCode(run.stderr)).toBe("NODE_ABORTED");
    }
    const node = await spawnDevNode({ dataDir });
    expect(await node.stop()).toBe(0);
  }, 90_000);

  it("aborts a long start-up (a reindex) at once with NODE_ABORTED and keeps the database as it was", async () => {
    const dataDir = join(root, "reindex");
    await writeDevChain(dataDir, 1200);
    let sent = 0;
    const run = await runCustos(devNodeArgs(dataDir, "--reindex", "--log-level", "info"), {
      timeoutMs: 60_000,
      onSpawn: (child) => {
        child.stderr?.on("data", (chunk: Buffer) => {
          if (sent === 0 && chunk.toString().includes('"msg":"reindex started"')) {
            sent = performance.now();
            child.kill("SIGTERM");
          }
        });
      },
    });
    expect(sent).toBeGreaterThan(0);
    expect(performance.now() - sent).toBeLessThan(3_000);
    expect(run.code).toBe(1);
    expect(cliErrorCode(run.stderr)).toBe("NODE_ABORTED");
    expect(run.stdout).not.toMatch(/^reindexed/m);
    const node = await spawnDevNode({ dataDir });
    try {
      expect(await headNumber(node.rpcUrl)).toBeGreaterThanOrEqual(1200);
    } finally {
      expect(await node.stop()).toBe(0);
    }
  }, 90_000);
});
