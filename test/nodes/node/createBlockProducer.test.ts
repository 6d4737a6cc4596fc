import type { Block } from "@ethereumjs/block";
import { bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type DevGenesisKeys,
  decodeQbftExtraData,
  type Genesis,
  qbftOnchainHash,
  readValidatorsAt,
  sortedValidators,
  verifySealedHeader,
} from "../../../nodes/chain/index.ts";
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
  batchGrantCalldata,
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

/** The dev chain's validator keys, hospital 1's first (as a dev node holds them). */
function validatorKeys(): Uint8Array[] {
  return h.keys.hospitals.map((k) => hexToBytes(k.validator.privateKey as `0x${string}`));
}

function start(
  options: { initialGasBudget?: bigint; validatorKeys?: Uint8Array[] } = {},
  log: Pick<typeof logger, "info" | "warn" | "error" | "debug"> = logger,
  engine: ExecutionEngine = h.engine,
): void {
  const consortium = hexToBytes(h.genesis.contracts.consortium as `0x${string}`);
  h.producer = createBlockProducer(
    {
      periodSeconds: 1,
      gasLimit: BigInt(h.genesis.gasLimit),
      validatorKeys: validatorKeys(),
      ...options,
    },
    {
      chainDb: h.chainDb,
      engine,
      validators: (parent) =>
        readValidatorsAt(
          (request) => h.engine.call(request, parent),
          consortium,
          parent.header.number + 1n,
        ),
      pool: h.pool,
      membership: h.membership,
      clock: h.clock,
      logger: log,
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

  it("learns its gas budget from building the block, not from a slow commit", async () => {
    const recorder = recorderOf(h.keys, 0);
    const txs = Array.from({ length: 14 }, (_, i) =>
      signedTx(h.chainDb.common, recorder.privateKey, {
        nonce: BigInt(i),
        to: h.genesis.contracts.consentRegistry,
        data: batchGrantCalldata(i * 100, 100, recorder.custodian),
        gasLimit: 4_000_000n,
      }),
    );
    for (const tx of txs) await h.pool.add(tx);
    let commits = 0;
    // Building takes 100 ms; the first commit 30 s, as a state persist at scale does.
    const engine: ExecutionEngine = {
      ...h.engine,
      buildBlock: async (parent, pending, options) => {
        const built = await h.engine.buildBlock(parent, pending, options);
        h.clock.advance(100);
        return built;
      },
      commit: async (executed, options) => {
        await h.engine.commit(executed, options);
        if (commits++ === 0) h.clock.advance(30_000);
      },
    };
    start({ initialGasBudget: 8_000_000n }, logger, engine);
    const [first] = await blocks(1);
    expect(first?.transactions).toHaveLength(2);
    const [, second] = await blocks(2);
    // ~4 M gas built in 0.1 s: a budget of ~30 M gas (7 of these), not the 5 M floor a rate
    // over the 30 s commit would give (one).
    expect(second?.transactions.length).toBeGreaterThanOrEqual(6);
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

  it("writes QBFT extraData and seals every block by a quorum of the height's validators", async () => {
    start();
    await blocks(1);
    h.clock.advance(1000);
    const [first, second] = await blocks(2);
    const validators = h.genesis.validators.map((v) => hexToBytes(v as `0x${string}`));
    for (const block of [first, second] as Block[]) {
      const extraData = decodeQbftExtraData(block.header.extraData);
      expect(extraData.vanity).toEqual(new Uint8Array(32));
      expect(extraData.validators.map(bytesToHex)).toEqual(
        sortedValidators(validators).map(bytesToHex),
      );
      expect(extraData.vote).toBeUndefined();
      expect(extraData.round).toBe(0);
      expect(verifySealedHeader(block.header, validators).map(bytesToHex).sort()).toEqual(
        validators.map(bytesToHex).sort(),
      );
      const hash = bytesToHex(qbftOnchainHash(block.header));
      expect(bytesToHex(block.hash())).toBe(hash);
      // Stored as committed: with its seals, under Besu's hash.
      const stored = await h.chainDb.blockByNumber(block.header.number);
      expect(bytesToHex(stored?.header.extraData ?? new Uint8Array())).toBe(
        bytesToHex(block.header.extraData),
      );
      const canonical = await h.chainDb.canonicalHash(block.header.number);
      expect(bytesToHex(canonical ?? new Uint8Array())).toBe(hash);
    }
    expect(bytesToHex((second as Block).header.parentHash)).toBe(
      bytesToHex(qbftOnchainHash((first as Block).header)),
    );
  });

  it("stays idle, saying so once, while its keys are fewer than a quorum", async () => {
    const warnings: unknown[][] = [];
    const quiet = () => {};
    const recording = {
      info: quiet,
      debug: quiet,
      error: quiet,
      warn: (...args: unknown[]) => {
        warnings.push(args);
      },
    };
    // 1 of 2 validators: the quorum is 2.
    start({ validatorKeys: validatorKeys().slice(0, 1) }, recording);
    await expect.poll(() => h.clock.sleepers(), { timeout: 5_000, interval: 5 }).toBe(1);
    h.clock.advance(1000);
    await expect.poll(() => h.clock.sleepers(), { timeout: 5_000, interval: 5 }).toBe(1);
    h.clock.advance(1000);
    await expect.poll(() => h.clock.sleepers(), { timeout: 5_000, interval: 5 }).toBe(1);
    expect(h.committed).toHaveLength(0);
    expect(h.chainDb.head()?.header.number).toBe(0n);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[0]).toMatchObject({ number: 1n, quorum: 2, held: 1 });
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
