import type { Block } from "@ethereumjs/block";
import { bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DevGenesisKeys, Genesis } from "../../../nodes/chain/index.ts";
import type { ChainDb } from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutedBlock,
  type ExecutionEngine,
} from "../../../nodes/execution/index.ts";
import { createLogger } from "../../../nodes/log/index.ts";
import {
  type BlockProducer,
  createBlockProducer,
  createMembership,
  type Membership,
} from "../../../nodes/node/index.ts";
import { createTxPool, type TxPool } from "../../../nodes/txpool/index.ts";
import {
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";
import { createManualClock, type ManualClock } from "./manualClock.ts";

const START_MS = 1_800_000_000_000;
const logger = createLogger({ level: "silent" });

interface Harness {
  genesis: Genesis;
  keys: DevGenesisKeys;
  chainDb: ChainDb;
  engine: ExecutionEngine;
  pool: TxPool;
  clock: ManualClock;
  denied: Set<string>;
  membership: Membership;
  committed: ExecutedBlock[];
  producer?: BlockProducer;
  remove: () => Promise<void>;
}

let h: Harness;

beforeEach(async () => {
  const dir = await tempDir("custos-producer-");
  const { genesis, keys } = devGenesis(2, "producer");
  const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
  const chainDb = await openChain(dir.path, genesis, common);
  const engine = createExecutionEngine({ chainDb });
  const head = () => chainDb.head() as Block;
  const real = createMembership({
    engine,
    consortium: hexToBytes(genesis.contracts.consortium as `0x${string}`),
    head,
  });
  const denied = new Set<string>();
  // Membership as the chain says, minus accounts a test revokes after admission.
  const membership: Membership = {
    ...real,
    isMember: async (address) => !denied.has(bytesToHex(address)) && real.isMember(address),
  };
  const clock = createManualClock(START_MS);
  const pool = createTxPool(
    { chainId: BigInt(genesis.chainId), blockGasLimit: BigInt(genesis.gasLimit) },
    {
      accountState: (address) => engine.account(address, head()),
      isMember: membership.isMember,
      now: clock.now,
    },
  );
  h = {
    genesis,
    keys,
    chainDb,
    engine,
    pool,
    clock,
    denied,
    membership,
    committed: [],
    remove: async () => {
      await chainDb.close();
      await dir.remove();
    },
  };
});

afterEach(async () => {
  await h.producer?.stop();
  await h.remove();
});

function start(options: { initialGasBudget?: bigint } = {}): void {
  h.producer = createBlockProducer(
    {
      periodSeconds: 1,
      gasLimit: BigInt(h.genesis.gasLimit),
      coinbase: hexToBytes(h.genesis.validators[0] as `0x${string}`),
      ...options,
    },
    {
      chainDb: h.chainDb,
      engine: h.engine,
      pool: h.pool,
      membership: h.membership,
      clock: h.clock,
      logger,
      onCommitted: (executed) => h.committed.push(executed),
    },
  );
  h.producer.start();
}

/** Waits until `count` blocks are committed and the producer sleeps for the next one. */
async function blocks(count: number): Promise<Block[]> {
  await expect.poll(() => h.committed.length, { timeout: 20_000, interval: 5 }).toBe(count);
  await expect.poll(() => h.clock.sleepers(), { timeout: 5_000, interval: 5 }).toBe(1);
  return h.committed.map((e) => e.block);
}

function grant(hospital: 0 | 1, nonce: bigint, n: number, gasLimit = 200_000n) {
  const recorder = recorderOf(h.keys, hospital);
  return signedTx(h.chainDb.common, recorder.privateKey, {
    nonce,
    to: h.genesis.contracts.consentRegistry,
    data: grantCalldata(n, recorder.custodian),
    gasLimit,
  });
}

describe("createBlockProducer", () => {
  it("commits one block per period with timestamps max(parent + period, now)", async () => {
    start();
    const [first] = await blocks(1);
    // Genesis is at timestamp 0: the first block takes the clock's time.
    expect(first?.header.timestamp).toBe(BigInt(START_MS / 1000));
    h.clock.advance(1000);
    const [, second] = await blocks(2);
    expect(second?.header.timestamp).toBe(BigInt(START_MS / 1000) + 1n);
    h.clock.advance(5500);
    const [, , third] = await blocks(3);
    expect(third?.header.timestamp).toBe(BigInt(Math.floor((START_MS + 6500) / 1000)));
    expect(h.chainDb.head()?.hash()).toEqual(third?.hash());
    expect(third?.header.coinbase.toString()).toBe(h.genesis.validators[0]?.toLowerCase());
  });

  it("includes pooled member transactions in nonce order and empties the pool", async () => {
    const txs = [grant(0, 0n, 1), grant(0, 1n, 2), grant(1, 0n, 3)];
    for (const tx of txs) await h.pool.add(tx);
    start();
    const [block] = await blocks(1);
    expect(block?.transactions.map((tx) => bytesToHex(tx.hash())).sort()).toEqual(
      txs.map((tx) => bytesToHex(tx.hash())).sort(),
    );
    const receipts = h.committed[0]?.receipts ?? [];
    expect(receipts.every((r) => r.status === 1)).toBe(true);
    expect(h.pool.stats().pending).toBe(0);
  });

  it("drops a transaction whose sender lost membership after admission", async () => {
    const kept = grant(0, 0n, 1);
    const revoked = grant(1, 0n, 2);
    await h.pool.add(kept);
    await h.pool.add(revoked);
    h.denied.add(recorderOf(h.keys, 1).address.toLowerCase());
    start();
    const [block] = await blocks(1);
    expect(block?.transactions.map((tx) => tx.hash())).toEqual([kept.hash()]);
    expect(h.pool.get(revoked.hash())).toBeUndefined();
  });

  it("keeps what does not fit the gas budget for the next block", async () => {
    const txs = [grant(0, 0n, 1), grant(0, 1n, 2), grant(0, 2n, 3)];
    for (const tx of txs) await h.pool.add(tx);
    start({ initialGasBudget: 400_000n });
    const [first] = await blocks(1);
    expect(first?.transactions).toHaveLength(2);
    h.clock.advance(1000);
    const [, second] = await blocks(2);
    expect(second?.transactions.map((tx) => tx.hash())).toEqual([txs[2]?.hash()]);
    expect(
      equalsBytes(second?.header.parentHash ?? new Uint8Array(), first?.hash() ?? new Uint8Array()),
    ).toBe(true);
  });

  it("admits the best transaction even when it declares more gas than the budget", async () => {
    const large = grant(0, 0n, 1, 1_000_000n);
    const small = grant(1, 0n, 2);
    await h.pool.add(large);
    await h.pool.add(small);
    start({ initialGasBudget: 300_000n });
    const [block] = await blocks(1);
    // The large one came first: the block's budget grows to its declared gas, so it is in.
    expect(block?.transactions.map((tx) => tx.hash())).toEqual([large.hash()]);
    h.clock.advance(1000);
    const [, next] = await blocks(2);
    expect(next?.transactions.map((tx) => tx.hash())).toEqual([small.hash()]);
  });

  it("produces nothing after stop", async () => {
    start();
    await blocks(1);
    await h.producer?.stop();
    h.clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.committed).toHaveLength(1);
    expect(h.chainDb.head()?.header.number).toBe(1n);
  });
});
