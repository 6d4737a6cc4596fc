import { readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultChainDbOptions, openChainLevel } from "../../../nodes/db/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";
import { tempDir } from "../stateFixtures.ts";
import { commitGrantBlocks, withChainDb } from "./chainFixture.ts";

let dir: { path: string; remove: () => Promise<void> };
let location: string;

beforeEach(async () => {
  dir = await tempDir("custos-level-");
  location = join(dir.path, "chain");
  await withChainDb(location, (db) => commitGrantBlocks(db, 1));
});
afterEach(async () => {
  await dir.remove();
});

const options = { storage: defaultChainDbOptions.storage };

async function openError(path = location) {
  const error = await openChainLevel(path, options).then(
    async (level) => {
      await level.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error as { code: string; details: Record<string, unknown> };
}

async function manifestName(): Promise<string> {
  return (await readFile(join(location, "CURRENT"), "latin1")).trim();
}

describe("openChainLevel", () => {
  it("opens an intact database and creates a missing one", async () => {
    await (await openChainLevel(location, options)).close();
    await (await openChainLevel(join(dir.path, "fresh"), options)).close();
  });

  it("refuses to create a database when told not to", async () => {
    const error = await openChainLevel(join(dir.path, "none"), { ...options, create: false }).catch(
      (e: unknown) => e,
    );
    expect(isCustosError(error, "NODE_START_FAILED")).toBe(true);
  });

  it("names a damaged CURRENT, and keeps the database files", async () => {
    const files = await readdir(location);
    await writeFile(join(location, "CURRENT"), "garbage");
    const error = await openError();
    expect(error.code).toBe("CHAIN_DB_CORRUPT");
    expect(error.details.file).toBe("CURRENT");
    expect((await readdir(location)).sort()).toEqual(files.sort());
  });

  it("names a missing CURRENT while tables and logs remain (LevelDB would start an empty database)", async () => {
    await rm(join(location, "CURRENT"));
    const error = await openError();
    expect(error.code).toBe("CHAIN_DB_CORRUPT");
    expect(error.details.file).toBe("CURRENT");
  });

  it("names a missing, empty or damaged MANIFEST", async () => {
    const manifest = await manifestName();
    const path = join(location, manifest);
    const original = await readFile(path);
    await writeFile(path, Buffer.concat([original.subarray(0, 10), Buffer.alloc(20, 0xee)]));
    const damaged = await openError();
    expect(damaged.code).toBe("CHAIN_DB_CORRUPT");
    expect(damaged.details.file).toBe(manifest);
    await truncate(path, 0);
    expect((await openError()).details.file).toBe(manifest);
    await rm(path);
    expect((await openError()).details.file).toBe(manifest);
  });

  it("says a database held by another handle is in use", async () => {
    const level = await openChainLevel(location, options);
    try {
      const error = await openError();
      expect(error.code).toBe("NODE_START_FAILED");
      expect(error.details.reason).toBe("in use");
    } finally {
      await level.close();
    }
  });

  it("reports a location under a regular file as NODE_START_FAILED with ENOTDIR", async () => {
    const file = join(dir.path, "file");
    await writeFile(file, "");
    const error = await openError(join(file, "chain"));
    expect(error.code).toBe("NODE_START_FAILED");
    expect(error.details.code).toBe("ENOTDIR");
  });
});
