import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ChainDb,
  createChainDb,
  type FlatWrite,
  HEAD_KEY,
  STATE_KEY,
} from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";
import { damageRecords } from "./damageRecords.ts";

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const registry = hexToBytes(genesis.contracts.consentRegistry as PrefixedHexString);
const grantedTopic = (block: Block, db: ChainDb) => db.receipts(block.hash());

describe("createChainDb", () => {
  let dir: { path: string; remove: () => Promise<void> };
  let db: ChainDb;
  let engine: ExecutionEngine;

  beforeEach(async () => {
    dir = await tempDir();
    db = await openChain(dir.path, genesis, common);
    engine = createExecutionEngine({ chainDb: db });
  });
  afterEach(async () => {
    await db.close();
    await dir.remove();
  });

  async function grantBlock(first: number, count: number, nonceBase: number): Promise<Block> {
    const parent = db.head() as Block;
    const txs = Array.from({ length: count }, (_, i) => {
      const recorder = recorderOf(keys, i % 2);
      return signedTx(common, recorder.privateKey, {
        nonce: BigInt(nonceBase + Math.floor(i / 2)),
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(first + i, recorder.custodian),
        gasLimit: 200_000n,
      });
    });
    const built = await engine.buildBlock(parent, txs, {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      gasLimit: BigInt(genesis.gasLimit),
    });
    expect(built.rejected).toEqual([]);
    await engine.commit(built);
    return built.block;
  }

  it("starts empty and holds genesis after commitGenesis", async () => {
    const empty = await tempDir();
    const fresh = await createChainDb({ location: empty.path, common });
    expect(fresh.head()).toBeUndefined();
    expect(await fresh.blockByNumber(0n)).toBeUndefined();
    await fresh.close();
    await empty.remove();
    expect(db.head()?.header.number).toBe(0n);
  });

  it("round-trips blocks, canonical hashes, receipts and the tx index", async () => {
    const block = await grantBlock(0, 4, 0);
    expect(db.head()?.hash()).toEqual(block.hash());
    expect((await db.blockByHash(block.hash()))?.serialize()).toEqual(block.serialize());
    expect((await db.blockByNumber(1n))?.hash()).toEqual(block.hash());
    expect(await db.canonicalHash(1n)).toEqual(block.hash());
    expect(await db.canonicalHash(2n)).toBeUndefined();
    const receipts = await db.receipts(block.hash());
    expect(receipts).toHaveLength(4);
    expect(receipts?.map((r) => r.txIndex)).toEqual([0, 1, 2, 3]);
    expect(receipts?.every((r) => r.status === 1 && r.logs.length === 1)).toBe(true);
    const tx = block.transactions[2];
    expect(await db.transactionLocation(tx?.hash() as Uint8Array)).toEqual({
      blockHash: block.hash(),
      blockNumber: 1n,
      index: 2,
    });
    expect(await db.transactionLocation(new Uint8Array(32))).toBeUndefined();
  });

  it("indexes logs by address and by topic for eth_getLogs", async () => {
    const b1 = await grantBlock(0, 2, 0);
    await grantBlock(2, 2, 1);
    const b3 = await grantBlock(4, 2, 2);
    expect(await db.logBlocks("address", registry, 0n, 10n)).toEqual([1n, 2n, 3n]);
    expect(await db.logBlocks("address", registry, 2n, 2n)).toEqual([2n]);
    expect(await db.logBlocks("address", registry, 0n, 10n, 2)).toEqual([1n, 2n]);
    const firstLog = (await grantedTopic(b1, db))?.[0]?.logs[0];
    const [, topics] = firstLog ?? [new Uint8Array(), []];
    const eventTopic = topics[0] as Uint8Array;
    const subjectTopic = topics[1] as Uint8Array;
    expect(await db.logBlocks("topic", subjectTopic, 0n, 10n)).toEqual([1n]);

    const bySubject = await db.logs({
      fromBlock: 0n,
      toBlock: 3n,
      addresses: [],
      topics: [null, subjectTopic],
    });
    expect(bySubject).toHaveLength(1);
    expect(bySubject[0]).toMatchObject({
      blockNumber: 1n,
      txIndex: 0,
      logIndex: 0,
      removed: false,
    });
    expect(bySubject[0]?.blockHash).toEqual(b1.hash());

    const all = await db.logs({
      fromBlock: 1n,
      toBlock: 3n,
      addresses: [registry],
      topics: [eventTopic],
    });
    expect(all.map((l) => [l.blockNumber, l.logIndex])).toEqual([
      [1n, 0],
      [1n, 1],
      [2n, 0],
      [2n, 1],
      [3n, 0],
      [3n, 1],
    ]);
    // The subject topic sits at position 1: asking for it at position 0 matches nothing.
    expect(
      await db.logs({ fromBlock: 0n, toBlock: 3n, addresses: [], topics: [subjectTopic] }),
    ).toEqual([]);
    const unfiltered = await db.logs({ fromBlock: 3n, toBlock: 3n, addresses: [], topics: [] });
    expect(unfiltered.map((l) => l.blockHash)).toEqual([b3.hash(), b3.hash()]);
    // An empty alternative list at a position means "any topic", like null.
    const anyTopic = await db.logs({ fromBlock: 3n, toBlock: 3n, addresses: [], topics: [[]] });
    expect(anyTopic).toEqual(unfiltered);
  });

  it("enforces the block-range and result caps", async () => {
    await grantBlock(0, 4, 0);
    const range = db.logs(
      { fromBlock: 0n, toBlock: 100n, addresses: [], topics: [] },
      { maxBlockRange: 50, maxResults: 100 },
    );
    expect((await expectCustosError(range, "LOG_QUERY_TOO_LARGE")).details.cap).toBe(
      "maxBlockRange",
    );
    const many = db.logs(
      { fromBlock: 0n, toBlock: 1n, addresses: [registry], topics: [] },
      { maxBlockRange: 50, maxResults: 3 },
    );
    expect((await expectCustosError(many, "LOG_QUERY_TOO_LARGE")).details.cap).toBe("maxResults");
  });

  it("a failing batch leaves the old head, in memory and after reopening", async () => {
    const block1 = await grantBlock(0, 2, 0);
    const parent = db.head() as Block;
    const tx = signedTx(common, recorderOf(keys, 0).privateKey, {
      nonce: 1n,
      to: genesis.contracts.consentRegistry,
      data: grantCalldata(50, 1),
      gasLimit: 200_000n,
    });
    const built = await engine.buildBlock(parent, [tx], {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      gasLimit: BigInt(genesis.gasLimit),
    });
    // A write level refuses (null value) placed after valid ones: the batch is rejected whole.
    const poisoned = [
      ...(built.flatWrites ?? []),
      { kind: "account", addressHash: new Uint8Array(32), value: null } as unknown as FlatWrite,
    ];
    await expectCustosError(
      db.commitBlock({ ...built, flatWrites: poisoned }),
      "CHAIN_DB_COMMIT_FAILED",
    );
    expect(db.head()?.hash()).toEqual(block1.hash());
    expect(await db.blockByHash(built.block.hash())).toBeUndefined();
    expect(await db.transactionLocation(tx.hash())).toBeUndefined();
    // A failed write may have left a torn record: no further commit until the database is reopened.
    expect(db.health().fault?.code).toBe("CHAIN_DB_COMMIT_FAILED");
    await expectCustosError(
      db.commitBlock({
        block: built.block,
        receipts: built.receipts,
        stateWrites: built.stateWrites,
      }),
      "CHAIN_DB_COMMIT_FAILED",
    );
    await db.close();
    db = await createChainDb({ location: dir.path, common });
    expect(db.head()?.hash()).toEqual(block1.hash());
    expect(await db.canonicalHash(2n)).toBeUndefined();
  });

  it("refuses a database whose head fell behind its persisted state, and one of the old layout", async () => {
    const first = await grantBlock(0, 2, 0);
    await grantBlock(2, 2, 1);
    await db.close();
    // Head moved back by damage: the state persisted at block 2 (at close) is not block 1's.
    await damageRecords(dir.path, (level) => level.put(HEAD_KEY, first.hash()));
    const beyond = await expectCustosError(
      createChainDb({ location: dir.path, common }),
      "CHAIN_DB_CORRUPT",
    );
    expect(beyond.details).toMatchObject({ blockNumber: "2", part: "state" });
    // Without the persisted-state record, the state is of the layout before pruning.
    await damageRecords(dir.path, (level) => level.del(STATE_KEY));
    const old = await expectCustosError(
      createChainDb({ location: dir.path, common }),
      "CHAIN_DB_REINDEX_REQUIRED",
    );
    expect(old.details).toMatchObject({ directory: dir.path });
    // Its blocks can still be read, as a reindex does.
    db = await createChainDb({ location: dir.path, common, blocksOnly: true });
    expect(db.head()?.hash()).toEqual(first.hash());
  });

  it("keeps the state of the last stateRetainBlocks blocks readable, and no older one", async () => {
    await db.close();
    db = await createChainDb({ location: dir.path, common, stateRetainBlocks: 2 });
    engine = createExecutionEngine({ chainDb: db });
    const recorder = hexToBytes(recorderOf(keys, 0).address as PrefixedHexString);
    const blocks: Block[] = [];
    for (let b = 0; b < 4; b++) blocks.push(await grantBlock(b * 2, 2, b));
    // Read by an engine whose node cache is empty (a cache may keep a pruned node a while).
    const reader = createExecutionEngine({ chainDb: db });
    // Block 2's state is two blocks old: still whole. Block 1's nodes, dropped by block 2,
    // were let go when block 4 came.
    expect((await reader.account(recorder, blocks[1] as Block)).nonce).toBe(2n);
    expect((await reader.account(recorder, blocks[3] as Block)).nonce).toBe(4n);
    await expectCustosError(reader.account(recorder, blocks[0] as Block), "STATE_NOT_AVAILABLE");
  });

  it("reopening resumes from the stored head and its state", async () => {
    await grantBlock(0, 2, 0);
    const head = await grantBlock(2, 2, 1);
    await db.close();
    db = await createChainDb({ location: dir.path, common });
    expect(db.head()?.hash()).toEqual(head.hash());
    engine = createExecutionEngine({ chainDb: db });
    const account = await engine.account(
      hexToBytes(recorderOf(keys, 0).address as PrefixedHexString),
      db.head() as Block,
    );
    expect(account.nonce).toBe(2n);
    const next = await grantBlock(4, 2, 2);
    expect(next.header.number).toBe(3n);
    expect(bytesToHex(next.header.parentHash)).toBe(bytesToHex(head.hash()));
  });
});
