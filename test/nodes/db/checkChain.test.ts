import type { Block } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ChainDb,
  chainCorruptError,
  checkChain,
  checkHeadMarker,
  keyOf,
  keyspaces,
  uint64Bytes,
} from "../../../nodes/db/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { tempDir } from "../stateFixtures.ts";
import { commitGrantBlocks, damageRecords, withChainDb } from "./chainFixture.ts";

let dir: { path: string; remove: () => Promise<void> };
let blocks: Block[];

beforeEach(async () => {
  dir = await tempDir("custos-check-");
  blocks = await withChainDb(dir.path, (db) => commitGrantBlocks(db, 6));
});
afterEach(async () => {
  await dir.remove();
});

const block = (n: number) => blocks[n - 1] as Block;
const check = (from = 0n, to = 6n) =>
  withChainDb(dir.path, (db: ChainDb) => checkChain(db, { from, to }));

describe("checkChain", () => {
  it("finds nothing wrong in an intact chain, and counts blocks and transactions", async () => {
    const report = await check();
    expect(report.problems).toEqual([]);
    expect(report.blocks).toBe(7);
    expect(report.transactions).toBe(12);
  });

  it("names a block whose whole batch vanished by the hash its successor links to", async () => {
    const lost = block(3);
    const hash = lost.hash();
    await damageRecords(dir.path, (level) =>
      level.batch([
        { type: "del", key: keyOf(keyspaces.canonical, uint64Bytes(3n)) },
        { type: "del", key: keyOf(keyspaces.header, hash) },
        { type: "del", key: keyOf(keyspaces.block, hash) },
        { type: "del", key: keyOf(keyspaces.receipts, hash) },
      ]),
    );
    const { problems } = await check();
    expect(problems.map((p) => [p.blockNumber, p.part, p.reason])).toEqual([
      [3n, "canonical", "missing"],
      [3n, "header", "missing"],
      [3n, "body", "missing"],
      [3n, "receipts", "missing"],
    ]);
    expect(
      problems.every(
        (p) => p.blockHash !== undefined && bytesToHex(p.blockHash) === bytesToHex(hash),
      ),
    ).toBe(true);
    const error = chainCorruptError(problems);
    expect(isCustosError(error, "CHAIN_DB_CORRUPT")).toBe(true);
    expect(error.details).toMatchObject({
      blockNumber: "3",
      blockHash: bytesToHex(hash),
      part: "canonical",
      parts: ["canonical", "header", "body", "receipts"],
    });
  });

  it("finds missing receipts, a damaged header, a broken link and an unindexed transaction", async () => {
    const tx = block(5).transactions[1];
    await damageRecords(dir.path, async (level) => {
      await level.del(keyOf(keyspaces.receipts, block(2).hash()));
      const header = (await level.get(keyOf(keyspaces.header, block(4).hash()))) as Uint8Array;
      const flipped = Uint8Array.from(header);
      flipped[40] = (flipped[40] as number) ^ 0xff;
      await level.put(keyOf(keyspaces.header, block(4).hash()), flipped);
      await level.del(keyOf(keyspaces.txIndex, tx?.hash() as Uint8Array));
    });
    const parts = (await check()).problems.map((p) => [p.blockNumber, p.part]);
    expect(parts).toEqual([
      [2n, "receipts"],
      [4n, "header"],
      [5n, "txIndex"],
    ]);
  });

  it("reports a canonical entry that points to another chain as a broken link", async () => {
    await damageRecords(dir.path, (level) =>
      level.put(keyOf(keyspaces.canonical, uint64Bytes(2n)), block(4).hash()),
    );
    const problems = (await check(1n, 3n)).problems.map((p) => [p.blockNumber, p.part]);
    expect(problems).toContainEqual([2n, "header"]);
    expect(problems).toContainEqual([3n, "link"]);
  });

  it("checks only the requested range, with the link to the block before it", async () => {
    await damageRecords(dir.path, (level) => level.del(keyOf(keyspaces.receipts, block(1).hash())));
    expect((await check(2n, 6n)).problems).toEqual([]);
    expect((await check(1n, 6n)).problems.map((p) => p.blockNumber)).toEqual([1n]);
  });

  it("stops when its signal fires", async () => {
    const controller = new AbortController();
    controller.abort();
    await expectCustosError(
      withChainDb(dir.path, (db) =>
        checkChain(db, { from: 0n, to: 6n, signal: controller.signal }),
      ),
      "NODE_ABORTED",
    );
  });
});

describe("checkHeadMarker", () => {
  const hash = new Uint8Array(32).fill(7);
  const marker = { number: 10n, hash, logFrom: 5n };

  it("accepts a database at the marker or ahead of it on the same chain", () => {
    expect(checkHeadMarker(10n, hash, marker)).toBeUndefined();
    expect(checkHeadMarker(11n, hash, marker)).toBeUndefined();
  });

  it("refuses an empty database, a shorter one and another block at the marker's height", () => {
    expect(checkHeadMarker(undefined, undefined, marker)?.part).toBe("head");
    expect(checkHeadMarker(7n, undefined, marker)).toMatchObject({ blockNumber: 8n, part: "head" });
    expect(checkHeadMarker(10n, new Uint8Array(32), marker)).toMatchObject({
      blockNumber: 10n,
      part: "head",
    });
  });
});
