import { access, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareDataDir, storageError } from "../../../nodes/db/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";

let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir("custos-datadir-");
});
afterEach(async () => {
  await dir.remove();
});

async function failure(path: string) {
  return (await expectCustosError(prepareDataDir(path), "NODE_START_FAILED")).details;
}

describe("prepareDataDir", () => {
  it("creates missing directories level by level and leaves no probe behind", async () => {
    const path = join(dir.path, "a", "b", "c");
    await prepareDataDir(path);
    expect((await stat(path)).isDirectory()).toBe(true);
    expect(await readdir(path)).toEqual([]);
    await prepareDataDir(path);
  });

  it("fails fast on /proc/custos, where recursive mkdir would loop for ever", async () => {
    await access("/proc/self");
    const started = performance.now();
    const details = await failure("/proc/custos");
    expect(details.path).toBe("/proc/custos");
    expect(details.code).toBeTypeOf("string");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("names ENOTDIR for a path under a regular file, and a file given as the directory", async () => {
    const file = join(dir.path, "file");
    await writeFile(file, "");
    expect((await failure(join(file, "data"))).code).toBe("ENOTDIR");
    expect(await failure(file)).toMatchObject({ code: "ENOTDIR", path: file });
  });
});

describe("storageError", () => {
  it("names the path, the cause in words and its errno code, from Node and from LevelDB", () => {
    const eacces = storageError(
      "/var/lib/custos",
      Object.assign(new Error("x"), { code: "EACCES" }),
    );
    expect(eacces.code).toBe("NODE_START_FAILED");
    expect(eacces.details).toMatchObject({
      path: "/var/lib/custos",
      code: "EACCES",
      reason: "permission denied",
    });
    const level = storageError(
      "/d/chain",
      new Error("IO error: /d/chain/LOCK: Read-only file system"),
    );
    expect(level.details).toMatchObject({ code: "EROFS", reason: "read-only file system" });
  });
});
