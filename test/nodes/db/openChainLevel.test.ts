import { readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultChainDbOptions, openChainLevel } from "../../../nodes/db/index.ts";
import type { ErrorCode } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
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

/** Opening fails with `code`; a database that opens after all is closed again. */
async function openError(code: ErrorCode, path = location, extra: { create?: boolean } = {}) {
  const opened = openChainLevel(path, { ...options, ...extra }).then((level) => level.close());
  return (await expectCustosError(opened, code)).details;
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
    await openError("NODE_START_FAILED", join(dir.path, "none"), { create: false });
  });

  it("names a damaged CURRENT, and keeps the database files", async () => {
    const files = await readdir(location);
    await writeFile(join(location, "CURRENT"), "garbage");
    expect((await openError("CHAIN_DB_CORRUPT")).file).toBe("CURRENT");
    expect((await readdir(location)).sort()).toEqual(files.sort());
  });

  it("names a missing CURRENT while tables and logs remain (LevelDB would start an empty database)", async () => {
    await rm(join(location, "CURRENT"));
    expect((await openError("CHAIN_DB_CORRUPT")).file).toBe("CURRENT");
  });

  it("names a missing, empty or damaged MANIFEST", async () => {
    const manifest = await manifestName();
    const path = join(location, manifest);
    const original = await readFile(path);
    await writeFile(path, Buffer.concat([original.subarray(0, 10), Buffer.alloc(20, 0xee)]));
    expect((await openError("CHAIN_DB_CORRUPT")).file).toBe(manifest);
    await truncate(path, 0);
    expect((await openError("CHAIN_DB_CORRUPT")).file).toBe(manifest);
    await rm(path);
    expect((await openError("CHAIN_DB_CORRUPT")).file).toBe(manifest);
  });

  it("says a database held by another handle is in use", async () => {
    const level = await openChainLevel(location, options);
    try {
      expect((await openError("NODE_START_FAILED")).reason).toBe("in use");
    } finally {
      await level.close();
    }
  });

  it("reports a location under a regular file as NODE_START_FAILED with ENOTDIR", async () => {
    const file = join(dir.path, "file");
    await writeFile(file, "");
    expect((await openError("NODE_START_FAILED", join(file, "chain"))).code).toBe("ENOTDIR");
  });
});
