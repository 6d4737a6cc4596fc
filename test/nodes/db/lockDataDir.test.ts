import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATA_DIR_PID_FILE, lockDataDir } from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";

let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir("custos-lock-");
});
afterEach(async () => {
  await dir.remove();
});

async function inUse(): Promise<Record<string, unknown>> {
  return (await expectCustosError(lockDataDir(dir.path), "NODE_START_FAILED")).details;
}

/** A child process that runs until killed, and its pid. */
function sleeper() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  return {
    pid: child.pid as number,
    stop: () => new Promise((resolve) => child.once("exit", resolve).kill("SIGKILL")),
  };
}

describe("lockDataDir", () => {
  it("claims a directory with this process's pid and releases it", async () => {
    const lock = await lockDataDir(dir.path);
    const file = join(dir.path, DATA_DIR_PID_FILE);
    expect(await readFile(file, "utf8")).toBe(`${process.pid}\n`);
    expect(await inUse()).toMatchObject({ reason: "in use", pid: process.pid });
    await lock.release();
    await (await lockDataDir(dir.path)).release();
  });

  it("names the pid of another running process that holds it", async () => {
    const other = sleeper();
    try {
      await writeFile(join(dir.path, DATA_DIR_PID_FILE), `${other.pid}\n`);
      expect(await inUse()).toMatchObject({ reason: "in use", pid: other.pid });
    } finally {
      await other.stop();
    }
  });

  it("replaces the pid file of a process that is gone (a crash) or an unreadable one", async () => {
    const gone = sleeper();
    await gone.stop();
    await writeFile(join(dir.path, DATA_DIR_PID_FILE), `${gone.pid}\n`);
    await (await lockDataDir(dir.path)).release();
    await writeFile(join(dir.path, DATA_DIR_PID_FILE), "not a pid");
    const lock = await lockDataDir(dir.path);
    expect(await readFile(lock.file, "utf8")).toBe(`${process.pid}\n`);
    await lock.release();
  });
});
