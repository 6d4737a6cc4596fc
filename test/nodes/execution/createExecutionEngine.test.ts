import { type Block, createBlock, genTransactionsTrieRoot } from "@ethereumjs/block";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import {
  bytesToHex,
  createAddressFromPrivateKey,
  hexToBytes,
  type PrefixedHexString,
} from "@ethereumjs/util";
import { Interface } from "ethers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChainDb, FlatState } from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
  loadNativeCrypto,
} from "../../../nodes/execution/index.ts";
import {
  consentRegistryAbi,
  consentRegistryBytecode,
  consortiumAbi,
} from "../../../src/contracts/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";
import {
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";

const { genesis, keys } = devGenesis(3);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const hex = (s: string) => hexToBytes(s as PrefixedHexString);
// The hospitals' consent recorders: funded members that may grant in their hospital's records.
const h0 = recorderOf(keys, 0);
const h1 = recorderOf(keys, 1);
const coinbase = hex(keys.hospitals[0]?.validator.address as string);
const registryIface = new Interface(consentRegistryAbi);

describe("createExecutionEngine", () => {
  const dirs: { remove: () => Promise<void> }[] = [];
  const dbs: ChainDb[] = [];
  let db: ChainDb;
  let engine: ExecutionEngine;

  async function node(): Promise<{ db: ChainDb; engine: ExecutionEngine }> {
    const dir = await tempDir();
    dirs.push(dir);
    const chainDb = await openChain(dir.path, genesis, common);
    dbs.push(chainDb);
    return { db: chainDb, engine: createExecutionEngine({ chainDb }) };
  }

  beforeEach(async () => {
    ({ db, engine } = await node());
  });
  afterEach(async () => {
    for (const d of dbs.splice(0)) await d.close();
    for (const d of dirs.splice(0)) await d.remove();
  });

  const options = (parent: Block) => ({
    timestamp: parent.header.timestamp + 1n,
    coinbase,
    gasLimit: BigInt(genesis.gasLimit),
  });

  async function replayOnFreshNode(blocks: readonly Block[]) {
    const other = await node();
    for (const block of blocks) {
      const executed = await other.engine.executeBlock(block);
      await other.engine.commit(executed);
    }
    return other;
  }

  it("loads the native secp256k1 and keccak addons", () => {
    expect(loadNativeCrypto().native).toBe(true);
  });

  it("native signing and recovery agree with EthereumJS's pure-JS crypto", () => {
    const jsCommon = createCustosCommon({ chainId: BigInt(genesis.chainId), customCrypto: {} });
    const tx = signedTx(common, h0.privateKey, { nonce: 0n, to: h1.address, value: 1n });
    const same = createFeeMarket1559Tx(
      {
        nonce: 0n,
        to: h1.address as PrefixedHexString,
        value: 1n,
        gasLimit: 21_000n,
        maxFeePerGas: 10_000_000_000n,
        maxPriorityFeePerGas: 1n,
        chainId: jsCommon.chainId(),
      },
      { common: jsCommon },
    ).sign(hex(h0.privateKey));
    expect(bytesToHex(tx.serialize())).toBe(bytesToHex(same.serialize()));
    expect(tx.getSenderAddress().toString()).toBe(h0.address);
  });

  it("builds a block of transfers that a second node replays to identical roots", async () => {
    const genesisBlock = db.head() as Block;
    const txs = [0n, 1n, 2n].map((nonce) =>
      signedTx(common, h0.privateKey, { nonce, to: h1.address, value: 1000n + nonce }),
    );
    const built = await engine.buildBlock(genesisBlock, txs, options(genesisBlock));
    expect(built.rejected).toEqual([]);
    expect(built.block.transactions).toHaveLength(3);
    expect(built.block.header.gasUsed).toBe(63_000n);
    expect(built.receipts.map((r) => r.cumulativeGasUsed)).toEqual([21_000n, 42_000n, 63_000n]);
    await engine.commit(built);
    const before = await engine.account(hex(h1.address), genesisBlock);
    const after = await engine.account(hex(h1.address), built.block);
    expect(after.balance - before.balance).toBe(3003n);
    expect((await engine.account(hex(h0.address), built.block)).nonce).toBe(3n);

    const other = await replayOnFreshNode([built.block]);
    const replayed = other.db.head() as Block;
    expect(bytesToHex(replayed.hash())).toBe(bytesToHex(built.block.hash()));
    expect(await other.db.receipts(replayed.hash())).toEqual(await db.receipts(built.block.hash()));
  });

  it("deploys and calls contracts; replay matches and state is readable at each block", async () => {
    const g = db.head() as Block;
    const deployData = registryIface.encodeDeploy([genesis.contracts.consortium]);
    const deploy = signedTx(common, h0.privateKey, {
      nonce: 0n,
      data: hex(`${consentRegistryBytecode}${deployData.slice(2)}`),
      gasLimit: 5_000_000n,
    });
    const b1 = await engine.buildBlock(g, [deploy], options(g));
    await engine.commit(b1);
    const created = b1.receipts[0]?.contractAddress as Uint8Array;
    expect(created).toBeDefined();
    expect((await engine.code(created, b1.block)).length).toBeGreaterThan(1000);
    expect((await engine.code(created, g)).length).toBe(0);

    const grants = [
      signedTx(common, h0.privateKey, {
        nonce: 1n,
        to: bytesToHex(created),
        data: grantCalldata(1, h0.custodian),
        gasLimit: 200_000n,
      }),
      signedTx(common, h1.privateKey, {
        nonce: 0n,
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(2, h1.custodian),
        gasLimit: 200_000n,
      }),
      // A non-recorder: the call reverts but the transaction is included with status 0.
      signedTx(common, keys.researcher.privateKey, {
        nonce: 0n,
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(3, h0.custodian),
        gasLimit: 200_000n,
      }),
    ];
    const b2 = await engine.buildBlock(b1.block, grants, options(b1.block));
    expect(b2.receipts.map((r) => r.status)).toEqual([1, 1, 0]);
    expect(b2.receipts.map((r) => r.logs.length)).toEqual([1, 1, 0]);
    await engine.commit(b2);

    const other = await replayOnFreshNode([b1.block, b2.block]);
    expect(bytesToHex((other.db.head() as Block).header.stateRoot)).toBe(
      bytesToHex(b2.block.header.stateRoot),
    );
    // The slot written by the grant is readable from the replaying node's state.
    const consent = await other.engine.call(
      {
        to: hex(genesis.contracts.consentRegistry),
        data: hex(
          registryIface.encodeFunctionData("consentOf", [
            h1.custodian,
            grantCalldata(2, h1.custodian).subarray(36, 68),
          ]),
        ),
      },
      other.db.head() as Block,
    );
    const [record] = registryIface.decodeFunctionResult("consentOf", consent.returnData);
    expect(record.status).toBe(1n);
    expect(record.custodian).toBe(2n);
  });

  it("rejects invalid transactions with reasons and keeps valid ones", async () => {
    const g = db.head() as Block;
    const poor = createAddressFromPrivateKey(hex(`0x${"42".repeat(32)}`));
    const txs = [
      signedTx(common, h0.privateKey, { nonce: 5n, to: h1.address, value: 1n }),
      signedTx(common, `0x${"42".repeat(32)}`, { nonce: 0n, to: h1.address, value: 1n }),
      signedTx(common, h0.privateKey, { nonce: 0n, to: h1.address, value: 1n }),
      signedTx(common, h1.privateKey, {
        nonce: 0n,
        to: h0.address,
        value: 1n,
        gasLimit: BigInt(genesis.gasLimit) + 1n,
      }),
    ];
    const built = await engine.buildBlock(g, txs, options(g));
    expect(built.block.transactions.map((t) => bytesToHex(t.hash()))).toEqual([
      bytesToHex(txs[2]?.hash() as Uint8Array),
    ]);
    expect(built.rejected.map((r) => r.kind)).toEqual(["invalid", "invalid", "invalid"]);
    expect(built.rejected[0]?.reason).toMatch(/nonce/);
    expect(built.rejected[1]?.reason).toMatch(/enough funds/);
    expect(built.rejected[1]?.tx.getSenderAddress().toString()).toBe(poor.toString());
    expect(built.rejected[2]?.reason).toMatch(/gas limit/);
  });

  it("leaves transactions that do not fit for the next block", async () => {
    const g = db.head() as Block;
    const txs = [0n, 1n, 2n].map((nonce) =>
      signedTx(common, h0.privateKey, { nonce, to: h1.address, value: 1n }),
    );
    const built = await engine.buildBlock(g, txs, { ...options(g), gasLimit: 50_000n });
    expect(built.block.transactions).toHaveLength(2);
    expect(built.rejected.map((r) => r.kind)).toEqual(["doesNotFit"]);
  });

  it("a tampered block fails verification naming the field", async () => {
    const g = db.head() as Block;
    const built = await engine.buildBlock(
      g,
      [
        signedTx(common, h0.privateKey, {
          nonce: 0n,
          to: genesis.contracts.consentRegistry,
          data: grantCalldata(7, h0.custodian),
          gasLimit: 200_000n,
        }),
      ],
      options(g),
    );
    const other = await node();
    const tamper = (header: Record<string, unknown>) =>
      createBlock(
        {
          header: { ...built.block.header.toJSON(), ...header },
          transactions: built.block.transactions,
        },
        { common },
      );
    const cases: [string, Record<string, unknown>][] = [
      ["stateRoot", { stateRoot: new Uint8Array(32).fill(1) }],
      ["receiptsRoot", { receiptTrie: new Uint8Array(32).fill(2) }],
      ["gasUsed", { gasUsed: built.block.header.gasUsed + 1n }],
      ["logsBloom", { logsBloom: new Uint8Array(256) }],
      ["transactionsRoot", { transactionsTrie: new Uint8Array(32).fill(3) }],
      ["baseFeePerGas", { baseFeePerGas: 1n }],
      ["timestamp", { timestamp: g.header.timestamp }],
    ];
    for (const [field, change] of cases) {
      await expect(other.engine.executeBlock(tamper(change)), field).rejects.toSatisfy(
        (e: unknown) => isCustosError(e, "BLOCK_INVALID") && e.details.field === field,
      );
    }
    const orphan = createBlock(
      { header: { ...built.block.header.toJSON(), parentHash: new Uint8Array(32) } },
      { common },
    );
    await expect(other.engine.executeBlock(orphan)).rejects.toSatisfy(
      (e: unknown) => isCustosError(e, "BLOCK_INVALID") && e.details.field === "parentHash",
    );
    // The untampered block still verifies: failed attempts left no state behind.
    await other.engine.commit(await other.engine.executeBlock(built.block));
    expect(bytesToHex((other.db.head() as Block).hash())).toBe(bytesToHex(built.block.hash()));
  });

  it("a block with an inapplicable transaction fails naming it", async () => {
    const g = db.head() as Block;
    const built = await engine.buildBlock(
      g,
      [signedTx(common, h0.privateKey, { nonce: 0n, to: h1.address, value: 1n })],
      options(g),
    );
    const wrongNonce = signedTx(common, h0.privateKey, { nonce: 9n, to: h1.address, value: 1n });
    const bad = createBlock(
      {
        header: {
          ...built.block.header.toJSON(),
          transactionsTrie: await genTransactionsTrieRoot([wrongNonce]),
        },
        transactions: [wrongNonce],
      },
      { common },
    );
    await expect(engine.executeBlock(bad)).rejects.toSatisfy(
      (e: unknown) =>
        isCustosError(e, "BLOCK_INVALID") &&
        e.details.field === "transactions" &&
        e.details.index === 0,
    );
  });

  it("answers calls with revert data and estimates gas that suffices", async () => {
    const g = db.head() as Block;
    const registry = hex(genesis.contracts.consentRegistry);
    const consortium = new Interface(consortiumAbi);
    const isMember = await engine.call(
      {
        to: hex(genesis.contracts.consortium),
        data: hex(consortium.encodeFunctionData("isMember", [h0.address])),
      },
      g,
    );
    expect(consortium.decodeFunctionResult("isMember", isMember.returnData)[0]).toBe(true);

    const denied = await engine.call(
      { from: hex(keys.researcher.address), to: registry, data: grantCalldata(5, h0.custodian) },
      g,
    );
    expect(denied.revert).toBeDefined();
    expect(registryIface.parseError(bytesToHex(denied.revert?.data as Uint8Array))?.name).toMatch(
      /^ConsentRegistry/,
    );
    await expect(
      engine.estimateGas(
        { from: hex(keys.researcher.address), to: registry, data: grantCalldata(5, h0.custodian) },
        g,
      ),
    ).rejects.toSatisfy((e: unknown) => isCustosError(e, "EXECUTION_REVERTED"));

    const gas = await engine.estimateGas(
      { from: hex(h0.address), to: registry, data: grantCalldata(5, h0.custodian) },
      g,
    );
    const exact = signedTx(common, h0.privateKey, {
      nonce: 0n,
      to: genesis.contracts.consentRegistry,
      data: grantCalldata(5, h0.custodian),
      gasLimit: gas,
    });
    const short = signedTx(common, h1.privateKey, {
      nonce: 0n,
      to: genesis.contracts.consentRegistry,
      data: grantCalldata(6, h1.custodian),
      gasLimit: gas - 1n,
    });
    const built = await engine.buildBlock(g, [exact, short], options(g));
    expect(built.receipts.map((r) => r.status)).toEqual([1, 0]);
    expect(
      await engine.estimateGas({ from: hex(h0.address), to: hex(h1.address), value: 1n }, g),
    ).toBe(21_000n);
  });

  it("reads storage slots and refuses unknown state roots", async () => {
    const g = db.head() as Block;
    // Consortium's constructor wrote its storage at genesis; an EOA has none.
    const written = await engine.storageAt(
      hex(genesis.contracts.consortium),
      new Uint8Array(32),
      g,
    );
    expect(written).toHaveLength(32);
    expect(written.some((b) => b !== 0)).toBe(true);
    const empty = await engine.storageAt(hex(h0.address), new Uint8Array([1]), g);
    expect(empty).toEqual(new Uint8Array(32));
    const unknown = createBlock(
      { header: { ...g.header.toJSON(), stateRoot: new Uint8Array(32).fill(9) } },
      { common },
    );
    await expect(engine.account(hex(h0.address), unknown)).rejects.toSatisfy((e: unknown) =>
      isCustosError(e, "STATE_NOT_AVAILABLE"),
    );
  });
});

describe("flat-state reads racing a commit", () => {
  it("executes the block again on the trie when the flat state moved during execution", async () => {
    const dir = await tempDir();
    const chainDb = await openChain(dir.path, genesis, common);
    const real = chainDb.flatState;
    // A flat state that answers as if another block had been committed meanwhile: it knows
    // no account and moves its generation on the first read.
    let generation = real.generation;
    let reads = 0;
    const racing: FlatState = {
      get blockHash() {
        return real.blockHash;
      },
      get generation() {
        return generation;
      },
      cacheBytes: 0,
      account: () => {
        reads++;
        generation = real.generation + 1;
        return undefined;
      },
      storage: () => undefined,
    };
    const engine = createExecutionEngine({ chainDb: { ...chainDb, flatState: racing } });
    const g = chainDb.head() as Block;
    const built = await engine.buildBlock(
      g,
      [
        signedTx(common, h0.privateKey, {
          nonce: 0n,
          to: genesis.contracts.consentRegistry,
          data: grantCalldata(9, h0.custodian),
          gasLimit: 200_000n,
        }),
      ],
      { timestamp: g.header.timestamp + 1n, coinbase, gasLimit: BigInt(genesis.gasLimit) },
    );
    expect(reads).toBeGreaterThan(0);
    // Re-executed on the trie: the sender's funds were found and the grant succeeded.
    expect(built.rejected).toEqual([]);
    expect(built.receipts.map((r) => r.status)).toEqual([1]);
    const otherDir = await tempDir();
    const other = await openChain(otherDir.path, genesis, common);
    const verifier = createExecutionEngine({ chainDb: other, statePath: "merkle" });
    await verifier.commit(await verifier.executeBlock(built.block));
    await other.close();
    await otherDir.remove();
    await chainDb.close();
    await dir.remove();
  });
});
