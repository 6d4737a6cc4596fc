import type { Block } from "@ethereumjs/block";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ChainDb,
  createChainDb,
  type FlatWrite,
  flatStateOfTrie,
  stateNodeLoader,
} from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  devGenesis,
  flatRecords,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  storedFlatRecords,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });

describe("flat state in the chain database", () => {
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

  async function build(first: number, nonce: number) {
    const parent = db.head() as Block;
    const txs = [0, 1].map((h) => {
      const recorder = recorderOf(keys, h);
      return signedTx(common, recorder.privateKey, {
        nonce: BigInt(nonce),
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(first + h, recorder.custodian),
        gasLimit: 200_000n,
      });
    });
    return engine.buildBlock(parent, txs, {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      gasLimit: BigInt(genesis.gasLimit),
    });
  }

  /** The records the head's state trie implies. */
  const expected = () => {
    const head = db.head() as Block;
    const load = stateNodeLoader((key) => db.trieDb.getSync(key));
    return flatRecords(flatStateOfTrie(head.header.stateRoot, load));
  };

  it("genesis and every committed block move the flat state with the head", async () => {
    expect(db.flatState.blockHash).toEqual((db.head() as Block).hash());
    const built = await build(0, 0);
    expect(built.flatWrites?.length).toBeGreaterThan(0);
    await engine.commit(built);
    expect(db.flatState.blockHash).toEqual(built.block.hash());
    const records = expected();
    await db.close();
    expect(await storedFlatRecords(dir.path)).toEqual(records);
    db = await createChainDb({ location: dir.path, common });
    expect(db.flatState.blockHash).toEqual(built.block.hash());
  });

  it("a block that does not extend the flat state's block leaves it where it was", async () => {
    const first = await build(0, 0);
    // Stored without flat writes (as the merkle path does): the flat state stays at genesis.
    await db.commitBlock({
      block: first.block,
      receipts: first.receipts,
      stateWrites: first.stateWrites,
    });
    const genesisHash = (await db.blockByNumber(0n))?.hash();
    expect(db.flatState.blockHash).toEqual(genesisHash);
    const second = await build(2, 1);
    await db.commitBlock(second);
    expect(db.flatState.blockHash).toEqual(genesisHash);
    // Execution on the head now reads the trie, and still agrees with it.
    const third = await build(4, 2);
    await engine.commit(third);
    expect(
      (
        await engine.account(
          hexToBytes(recorderOf(keys, 0).address as PrefixedHexString),
          db.head() as Block,
        )
      ).nonce,
    ).toBe(3n);
    expect(db.flatState.blockHash).toEqual(genesisHash);
    // A rebuild brings the flat state to the head.
    const generation = db.flatState.generation;
    await db.rebuildFlatState();
    expect(db.flatState.generation).toBeGreaterThan(generation);
    expect(db.flatState.blockHash).toEqual(third.block.hash());
    const records = expected();
    await db.close();
    expect(await storedFlatRecords(dir.path)).toEqual(records);
    db = await createChainDb({ location: dir.path, common });
  });

  it("a failing commit leaves the flat state at the old head", async () => {
    const built = await build(0, 0);
    const before = db.flatState.blockHash;
    // A flat write level refuses (null value): the block's batch is rejected whole.
    const poisoned = [
      ...(built.flatWrites ?? []),
      { kind: "account", addressHash: new Uint8Array(32), value: null } as unknown as FlatWrite,
    ];
    await expectCustosError(
      db.commitBlock({ ...built, flatWrites: poisoned }),
      "CHAIN_DB_COMMIT_FAILED",
    );
    expect(db.flatState.blockHash).toEqual(before);
    const records = expected();
    await db.close();
    expect(await storedFlatRecords(dir.path)).toEqual(records);
    db = await createChainDb({ location: dir.path, common });
  });
});
