import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDbCommand } from "../../../nodes/bin/commands/db.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { installQbftBlockHash, sealBlock, signCommitSeal } from "../../../nodes/chain/index.ts";
import {
  type ChainDb,
  createChainDb,
  HASH_RULE_KEY,
  keyOf,
  keyspaces,
  writeHeadMarker,
} from "../../../nodes/db/index.ts";
import {
  commitGrantBlocks,
  damageRecords,
  fixtureCommon,
  fixtureGenesis,
} from "../db/chainFixture.ts";
import { tempDir } from "../stateFixtures.ts";
import { captureIo } from "./captureIo.ts";

let dir: { path: string; remove: () => Promise<void> };
let genesisFile: string;
let hashes: Uint8Array[];

let blocks: Block[];

beforeEach(async () => {
  // As a node writes its database (the command reads it under the same rule).
  installQbftBlockHash();
  dir = await tempDir("custos-dbcmd-");
  genesisFile = join(dir.path, "genesis.json");
  await writeFile(genesisFile, JSON.stringify(fixtureGenesis));
  const dataDir = join(dir.path, "data");
  await mkdir(dataDir);
  const db: ChainDb = await createChainDb({
    location: join(dataDir, "chain"),
    common: fixtureCommon,
    headMarker: join(dataDir, "chain-head.json"),
  });
  try {
    blocks = await commitGrantBlocks(db, 3);
    hashes = blocks.map((b) => b.hash());
  } finally {
    await db.close();
  }
});
afterEach(async () => {
  await dir.remove();
});

async function check(...extra: string[]) {
  const c = captureIo();
  const controller = new AbortController();
  const code = await runCli(
    [
      "db",
      "check",
      "--data-dir",
      join(dir.path, "data"),
      "--chain-genesis-file",
      genesisFile,
      ...extra,
    ],
    c.io,
    [createDbCommand({ signal: controller.signal })],
  );
  return { code, out: c.out(), err: c.err() };
}

describe("custos db check", () => {
  it("prints its help", async () => {
    const c = captureIo();
    expect(await runCli(["db", "--help"], c.io, [createDbCommand()])).toBe(0);
    expect(c.out()).toContain("Usage: custos db check");
  });

  it("finds no damage in an intact database and its marker", async () => {
    const { code, out } = await check();
    expect(code).toBe(0);
    expect(out).toMatch(/^head marker +3 0x[0-9a-f]{64}$/m);
    expect(out).toContain("checked         blocks 0..3: 4 blocks, 6 transactions");
    expect(out).toContain("no damage found");
  });

  it("lists every damaged block and part and fails with CHAIN_DB_CORRUPT", async () => {
    await damageRecords(join(dir.path, "data", "chain"), async (level) => {
      await level.del(keyOf(keyspaces.block, hashes[0] as Uint8Array));
      await level.del(keyOf(keyspaces.receipts, hashes[1] as Uint8Array));
    });
    const { code, out, err } = await check();
    expect(code).toBe(1);
    expect(err).toMatch(/^error CHAIN_DB_CORRUPT: block 1 /m);
    expect(out).toMatch(/^problem +block 1 \(0x[0-9a-f]{64}\) body: missing$/m);
    expect(out).toMatch(/^problem +block 2 \(0x[0-9a-f]{64}\) receipts: missing$/m);
    // A range that avoids the damage passes.
    expect((await check("--from", "3")).code).toBe(0);
  });

  it("reports a block whose commit seals fail, though its hash is intact", async () => {
    const [block, third] = [blocks[1] as Block, blocks[2] as Block];
    // Seals are outside Besu's block hash: the records stay under the same key.
    const unsealed = sealBlock(block, []);
    const stranger = sealBlock(third, [
      signCommitSeal(third.header, hexToBytes(`0x${"42".repeat(32)}`)),
    ]);
    expect(bytesToHex(unsealed.hash())).toBe(bytesToHex(block.hash()));
    expect(bytesToHex(stranger.hash())).toBe(bytesToHex(third.hash()));
    await damageRecords(join(dir.path, "data", "chain"), async (level) => {
      await level.put(keyOf(keyspaces.header, block.hash()), unsealed.header.serialize());
      await level.put(keyOf(keyspaces.block, block.hash()), unsealed.serialize());
      await level.put(keyOf(keyspaces.header, third.hash()), stranger.header.serialize());
    });
    const { code, out, err } = await check();
    expect(code).toBe(1);
    expect(err).toMatch(/^error CHAIN_DB_CORRUPT: block 2 /m);
    expect(out).toMatch(
      new RegExp(
        `^problem +block 2 \\(${bytesToHex(block.hash())}\\) seals: .*0 committers, 2 needed`,
        "m",
      ),
    );
    expect(out).toMatch(/^problem +block 3 \(0x[0-9a-f]{64}\) seals: .*not a validator/m);
  });

  it("refuses a database written before QBFT block hashes with CHAIN_DB_INCOMPATIBLE", async () => {
    await damageRecords(join(dir.path, "data", "chain"), (level) => level.del(HASH_RULE_KEY));
    const { code, err } = await check();
    expect(code).toBe(1);
    expect(err).toMatch(/^error CHAIN_DB_INCOMPATIBLE: .*new data directory/m);
  });

  it("reports a marker ahead of the database", async () => {
    await writeHeadMarker(join(dir.path, "data", "chain-head.json"), {
      number: 9n,
      hash: new Uint8Array(32),
      logFrom: 0n,
    });
    const { code, out } = await check();
    expect(code).toBe(1);
    expect(out).toMatch(/^problem +block 4 head: the database ends at block 3/m);
  });

  it("refuses an unknown sub-command and a missing data directory", async () => {
    const c = captureIo();
    expect(await runCli(["db", "repair"], c.io, [createDbCommand()])).toBe(2);
    const d = captureIo();
    const code = await runCli(
      ["db", "check", "--data-dir", join(dir.path, "absent"), "--chain-genesis-file", genesisFile],
      d.io,
      [createDbCommand()],
    );
    expect(code).toBe(1);
    expect(d.err()).toMatch(/^error NODE_START_FAILED: /);
  });
});
