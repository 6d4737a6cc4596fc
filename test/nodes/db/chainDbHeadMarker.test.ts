import { access, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commitGenesis } from "../../../nodes/chain/index.ts";
import {
  type ChainDb,
  type ChainDbOptions,
  createChainDb,
  HEAD_KEY,
  keyOf,
  keyspaces,
  readHeadMarker,
  uint64Bytes,
  writeHeadMarker,
} from "../../../nodes/db/index.ts";
import { createExecutionEngine } from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";
import {
  commitGrantBlocks,
  damageRecords,
  fixtureCommon,
  fixtureGenesis,
  withChainDb,
} from "./chainFixture.ts";

/** createChainDb with a head marker: the open-time check and damage found while serving. */
let dir: { path: string; remove: () => Promise<void> };
let location: string;
let headMarker: string;

beforeEach(async () => {
  dir = await tempDir("custos-marker-db-");
  location = join(dir.path, "chain");
  headMarker = join(dir.path, "chain-head.json");
});
afterEach(async () => {
  await dir.remove();
});

function open(extra: Partial<ChainDbOptions> = {}): Promise<ChainDb> {
  return createChainDb({ location, common: fixtureCommon, headMarker, ...extra });
}

async function marked<T>(change: (db: ChainDb) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await change(db);
  } finally {
    await db.close();
  }
}

/** Opening fails with CHAIN_DB_CORRUPT; a database that opens after all is closed again. */
async function openError(extra: Partial<ChainDbOptions> = {}) {
  const opened = open(extra).then((db) => db.close());
  return (await expectCustosError(opened, "CHAIN_DB_CORRUPT")).details;
}

describe("createChainDb with a head marker", () => {
  it("rewrites the marker after every commit and reopens against it", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 3));
    const marker = await readHeadMarker(headMarker);
    expect(marker?.number).toBe(3n);
    expect(bytesToHex(marker?.hash ?? new Uint8Array())).toBe(
      bytesToHex(blocks[2]?.hash() as Uint8Array),
    );
    await marked(async (db) => expect(db.head()?.header.number).toBe(3n));
    // Opening moved every earlier block out of the write-ahead log.
    expect((await readHeadMarker(headMarker))?.logFrom).toBe(4n);
  });

  it("refuses a database that ends before its marker (a truncated write-ahead log)", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 5));
    await damageRecords(location, (level) =>
      level.batch([
        { type: "put", key: HEAD_KEY, value: blocks[2]?.hash() as Uint8Array },
        { type: "del", key: keyOf(keyspaces.canonical, uint64Bytes(4n)) },
        { type: "del", key: keyOf(keyspaces.canonical, uint64Bytes(5n)) },
      ]),
    );
    const details = await openError();
    expect(details).toMatchObject({ blockNumber: "4", part: "head" });
  });

  it("refuses a hole in the recent blocks, naming the block and its parts", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 5));
    const hash = blocks[1]?.hash() as Uint8Array;
    await damageRecords(location, (level) =>
      level.batch([
        { type: "del", key: keyOf(keyspaces.canonical, uint64Bytes(2n)) },
        { type: "del", key: keyOf(keyspaces.block, hash) },
        { type: "del", key: keyOf(keyspaces.receipts, hash) },
      ]),
    );
    const details = await openError();
    expect(details).toMatchObject({ blockNumber: "2", parts: ["canonical", "body", "receipts"] });
    // The marker was not moved by the failed open: the next start refuses too.
    expect((await readHeadMarker(headMarker))?.number).toBe(5n);
    expect((await openError()).blockNumber).toBe("2");
  });

  it("names the head block when the head pointer outlived its body", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 2));
    const hash = blocks[1]?.hash() as Uint8Array;
    await damageRecords(location, (level) =>
      level.batch([
        { type: "del", key: keyOf(keyspaces.block, hash) },
        { type: "del", key: keyOf(keyspaces.header, hash) },
      ]),
    );
    expect(await openError()).toMatchObject({
      blockNumber: "2",
      blockHash: bytesToHex(hash),
      part: "body",
    });
  });

  it("refuses a missing database when the marker names a head, and does not create one", async () => {
    await marked((db) => commitGrantBlocks(db, 1));
    await rm(location, { recursive: true });
    expect(await openError()).toMatchObject({ part: "head" });
    await expect(access(location)).rejects.toThrow();
  });

  it("accepts a database one commit ahead of its marker (killed between the commit and the marker)", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 3));
    await writeHeadMarker(headMarker, {
      number: 2n,
      hash: blocks[1]?.hash() as Uint8Array,
      logFrom: 0n,
    });
    await marked(async (db) => expect(db.head()?.header.number).toBe(3n));
    expect((await readHeadMarker(headMarker))?.number).toBe(3n);
  });

  it("gives a database from before markers a marker after checking its recent blocks", async () => {
    await withChainDb(location, (db) => commitGrantBlocks(db, 2));
    expect(await readHeadMarker(headMarker)).toBeUndefined();
    await marked(async () => undefined);
    expect((await readHeadMarker(headMarker))?.number).toBe(2n);
  });

  it("records damage found while serving: not healthy, counted, and the chain is not extended", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 6));
    // An old block outside the start-up window loses its index entry.
    await damageRecords(location, (level) =>
      level.del(keyOf(keyspaces.canonical, uint64Bytes(1n))),
    );
    await writeHeadMarker(headMarker, {
      number: 6n,
      hash: blocks[5]?.hash() as Uint8Array,
      logFrom: 7n,
    });
    const faults: string[] = [];
    const db = await open({ checkBlocks: 2, onFault: (e) => faults.push(e.code) });
    try {
      expect(db.health()).toEqual({ checkFailures: 0 });
      await expectCustosError(db.blockByNumber(1n), "CHAIN_DB_CORRUPT");
      expect(db.health().checkFailures).toBe(1);
      expect(db.health().fault?.code).toBe("CHAIN_DB_CORRUPT");
      expect(faults).toEqual(["CHAIN_DB_CORRUPT"]);
      await expectCustosError(commitGrantBlocks(db, 1), "CHAIN_DB_CORRUPT");
      expect(db.head()?.header.number).toBe(6n);
    } finally {
      await db.close();
    }
  });

  it("moves the marker for commits that are not durable only at sync()", async () => {
    const blocks = await marked((db) => commitGrantBlocks(db, 4));
    await rm(location, { recursive: true });
    await rm(headMarker);
    const db = await open();
    try {
      await commitGenesis(db, fixtureGenesis);
      const engine = createExecutionEngine({ chainDb: db });
      for (const block of blocks) {
        await engine.commit(await engine.executeBlock(block), { durable: false });
      }
      expect(db.head()?.header.number).toBe(4n);
      expect((await readHeadMarker(headMarker))?.number).toBe(0n);
      await db.sync();
      expect((await readHeadMarker(headMarker))?.number).toBe(4n);
    } finally {
      await db.close();
    }
  });

  describe("with shortChain: recover (a network node syncs lost blocks back)", () => {
    /** Commits `blocks` again, as sync would, on a database opened in recover mode. */
    async function replay(db: ChainDb, blocks: readonly Block[], upTo: number): Promise<void> {
      if (db.head() === undefined) await commitGenesis(db, fixtureGenesis);
      const engine = createExecutionEngine({ chainDb: db });
      for (const block of blocks.slice(Number(db.head()?.header.number ?? 0n), upTo)) {
        await engine.commit(await engine.executeBlock(block));
      }
    }

    it("opens a wiped database, holds the marker until its block is back, then moves on", async () => {
      const blocks = await marked((db) => commitGrantBlocks(db, 5));
      await rm(location, { recursive: true });
      const db = await open({ shortChain: "recover" });
      try {
        expect(db.head()).toBeUndefined();
        expect(db.health().recovering?.number).toBe(5n);
        await replay(db, blocks, 4);
        expect(db.health().recovering?.number).toBe(5n);
        // Killed here, the node would still know it must get back to block 5.
        expect((await readHeadMarker(headMarker))?.number).toBe(5n);
        await replay(db, blocks, 5);
        expect(db.health()).toEqual({ checkFailures: 0 });
        expect((await readHeadMarker(headMarker))?.number).toBe(5n);
      } finally {
        await db.close();
      }
    });

    it("reports another block at the marker's height as damage", async () => {
      const blocks = await marked((db) => commitGrantBlocks(db, 3));
      const marker = await readHeadMarker(headMarker);
      await writeHeadMarker(headMarker, {
        number: 3n,
        hash: new Uint8Array(32).fill(7),
        logFrom: marker?.logFrom ?? 0n,
      });
      // Lost with its state: the blocks are executed again from genesis.
      await rm(location, { recursive: true });
      const db = await open({ shortChain: "recover" });
      try {
        expect(db.health().recovering?.number).toBe(3n);
        await replay(db, blocks, 3);
        expect(db.health().fault?.code).toBe("CHAIN_DB_CORRUPT");
        expect(db.health().fault?.details).toMatchObject({ blockNumber: "3", part: "head" });
      } finally {
        await db.close();
      }
    });

    it("still refuses damage below the tip", async () => {
      const blocks = await marked((db) => commitGrantBlocks(db, 5));
      await damageRecords(location, (level) =>
        level.del(keyOf(keyspaces.receipts, blocks[3]?.hash() as Uint8Array)),
      );
      const details = await openError({ shortChain: "recover" });
      expect(details).toMatchObject({ blockNumber: "4" });
    });
  });
});
