/**
 * State-path benchmark (`npm run bench:execution`): builds blocks of ConsentRegistry.grant
 * calls from distinct hospital recorder accounts (pre-signed), replays them on a second
 * engine with its own database, and does the same for batchGrant (500 consents per tx).
 * Also fills a chain database with 1 M synthetic ConsentGranted-shaped events (500 per block)
 * and times eth_getLogs-style queries through the log index.
 * Prints medians and writes bench/results/execution.json. Env: BENCH_BLOCKS (default 5),
 * BENCH_TXS (grant txs per block, default 1000), BENCH_BATCH_TXS (batchGrant txs per block,
 * default 10), BENCH_LOG_EVENTS (default 1,000,000).
 */
import { writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg } from "node:os";
import { type Block, createBlock, createBlockFromRLP } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { createTxFromRLP } from "@ethereumjs/tx";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { createDevGenesis } from "../nodes/chain/index.ts";
import { type ChainDb, createChainDb, type StoredReceipt } from "../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
  loadNativeCrypto,
} from "../nodes/execution/index.ts";
import {
  batchGrantCalldata,
  grantCalldata,
  openChain,
  seededRandomBytes,
  signedTx,
  tempDir,
} from "../test/nodes/stateFixtures.ts";

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 5);
const TXS = Number(process.env.BENCH_TXS ?? 1000);
const BATCH_TXS = Number(process.env.BENCH_BATCH_TXS ?? 10);
const BATCH = 500;
const LOG_EVENTS = Number(process.env.BENCH_LOG_EVENTS ?? 1_000_000);
const LOGS_PER_BLOCK = 500;
const HOSPITALS = 50;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const round = (n: number) => Math.round(n);
const round2 = (n: number) => Math.round(n * 100) / 100;
const { genesis, keys } = createDevGenesis({
  hospitals: HOSPITALS,
  randomBytes: seededRandomBytes("bench"),
});
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const nonces = new Map<string, bigint>();

function nextNonce(address: string): bigint {
  const n = nonces.get(address) ?? 0n;
  nonces.set(address, n + 1n);
  return n;
}

/** Pre-signs `blocks` blocks of `perBlock` txs, round-robin over the hospital recorders. */
function presign(
  blocks: number,
  perBlock: number,
  data: (i: number) => Uint8Array,
  gasLimit: bigint,
) {
  let counter = 0;
  return Array.from({ length: blocks }, () =>
    Array.from({ length: perBlock }, () => {
      const i = counter++;
      const account = keys.hospitals[i % HOSPITALS]?.account as {
        address: string;
        privateKey: string;
      };
      return signedTx(common, account.privateKey, {
        nonce: nextNonce(account.address),
        to: genesis.contracts.consentRegistry,
        data: data(i),
        gasLimit,
      });
    }),
  );
}

interface Phase {
  readonly blockMs: number[];
  readonly commitMs: number[];
  /** Process CPU time (user + system, all threads) per block: less sensitive to other load. */
  readonly cpuMs: number[];
  readonly perBlock: number[];
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function buildAll(
  engine: ExecutionEngine,
  db: ChainDb,
  blocks: readonly TypedTransaction[][],
): Promise<{ phase: Phase; built: Block[] }> {
  const phase: Phase = { blockMs: [], commitMs: [], cpuMs: [], perBlock: [] };
  const built: Block[] = [];
  for (const txs of blocks) {
    const parent = db.head() as Block;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = await engine.buildBlock(parent, txs, {
      timestamp: parent.header.timestamp + 1n,
      coinbase: hexToBytes(keys.hospitals[0]?.validator.address as PrefixedHexString),
      gasLimit: BigInt(genesis.gasLimit),
    });
    const t1 = performance.now();
    await engine.commit(result);
    const t2 = performance.now();
    if (result.rejected.length > 0) throw new Error(`rejected: ${result.rejected[0]?.reason}`);
    if (result.receipts.some((r) => r.status !== 1))
      throw new Error("a benchmark transaction failed");
    phase.blockMs.push(t2 - t0);
    phase.commitMs.push(t2 - t1);
    phase.cpuMs.push(cpuMsSince(cpu));
    phase.perBlock.push(txs.length);
    built.push(result.block);
  }
  return { phase, built };
}

async function replayAll(engine: ExecutionEngine, blocks: readonly Block[]): Promise<Phase> {
  const phase: Phase = { blockMs: [], commitMs: [], cpuMs: [], perBlock: [] };
  for (const original of blocks) {
    // A replaying node decodes the block from the wire: no sender cache carried over.
    const block = createBlockFromRLP(original.serialize(), { common });
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const executed = await engine.executeBlock(block);
    const t1 = performance.now();
    await engine.commit(executed);
    const t2 = performance.now();
    phase.blockMs.push(t2 - t0);
    phase.commitMs.push(t2 - t1);
    phase.cpuMs.push(cpuMsSince(cpu));
    phase.perBlock.push(block.transactions.length);
  }
  return phase;
}

function rate(phase: Phase, unitsPerTx = 1, times: readonly number[] = phase.blockMs): number {
  return median(times.map((ms, i) => ((phase.perBlock[i] ?? 0) * unitsPerTx * 1000) / ms));
}

function signatureRecoveryPerSec(customCrypto: boolean, txs: readonly TypedTransaction[]): number {
  const c = customCrypto
    ? common
    : createCustosCommon({ chainId: BigInt(genesis.chainId), customCrypto: {} });
  const fresh = txs.map((tx) => createTxFromRLP(tx.serialize(), { common: c }));
  const t0 = performance.now();
  for (const tx of fresh) tx.getSenderAddress();
  return (fresh.length * 1000) / (performance.now() - t0);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function topicOf(n: number): Uint8Array {
  const topic = new Uint8Array(32);
  new DataView(topic.buffer).setUint32(28, n);
  return topic;
}

/** Synthetic events: [event signature, unique subject, one of 8 custodians]. */
async function logIndexBench() {
  const dir = await tempDir("custos-bench-logs-");
  const db = await createChainDb({ location: dir.path, common });
  const blocks = Math.ceil(LOG_EVENTS / LOGS_PER_BLOCK);
  const address = new Uint8Array(20).fill(0xaa);
  const signature = topicOf(0xc0);
  const t0 = performance.now();
  let parentHash: Uint8Array = new Uint8Array(32);
  for (let b = 0; b < blocks; b++) {
    const block = createBlock(
      {
        header: {
          number: BigInt(b),
          parentHash,
          timestamp: BigInt(b),
          gasLimit: 30_000_000n,
          baseFeePerGas: 7n,
        },
      },
      { common },
    );
    const logs = Array.from(
      { length: LOGS_PER_BLOCK },
      (_, i) =>
        [
          address,
          [signature, topicOf(b * LOGS_PER_BLOCK + i), topicOf(1_000_000_000 + (i % 8))],
          new Uint8Array(64),
        ] as [Uint8Array, Uint8Array[], Uint8Array],
    );
    const receipt: StoredReceipt = {
      txType: 2,
      txHash: topicOf(b),
      txIndex: 0,
      status: 1,
      cumulativeGasUsed: 1n,
      gasUsed: 1n,
      effectiveGasPrice: 7n,
      logsBloom: new Uint8Array(256),
      logs,
    };
    await db.commitBlock({ block, receipts: [receipt], stateWrites: [] });
    parentHash = block.hash();
  }
  const writeSeconds = (performance.now() - t0) / 1000;
  const bySubject: number[] = [];
  for (let q = 0; q < 500; q++) {
    const n = (q * 7_919 + 13) % (blocks * LOGS_PER_BLOCK);
    const s0 = performance.now();
    const found = await db.logs(
      { fromBlock: 0n, toBlock: BigInt(blocks - 1), addresses: [], topics: [null, topicOf(n)] },
      { maxBlockRange: blocks, maxResults: 10_000 },
    );
    bySubject.push(performance.now() - s0);
    if (found.length !== 1) throw new Error("log index: expected exactly one event per subject");
  }
  const byCustodian: number[] = [];
  for (let q = 0; q < 50; q++) {
    const from = (q * 37) % (blocks - 10);
    const s0 = performance.now();
    await db.logs(
      {
        fromBlock: BigInt(from),
        toBlock: BigInt(from + 9),
        addresses: [address],
        topics: [signature, null, topicOf(1_000_000_003)],
      },
      { maxBlockRange: 10_000, maxResults: 10_000 },
    );
    byCustodian.push(performance.now() - s0);
  }
  bySubject.sort((a, b) => a - b);
  byCustodian.sort((a, b) => a - b);
  await db.close();
  await dir.remove();
  return {
    events: blocks * LOGS_PER_BLOCK,
    eventsPerBlock: LOGS_PER_BLOCK,
    writeEventsPerSec: round((blocks * LOGS_PER_BLOCK) / writeSeconds),
    bySubjectTopicAllBlocksMs: {
      p50: round2(percentile(bySubject, 0.5)),
      p99: round2(percentile(bySubject, 0.99)),
    },
    byCustodianTopic10BlocksMs: {
      p50: round2(percentile(byCustodian, 0.5)),
      p99: round2(percentile(byCustodian, 0.99)),
      logsPerQuery: 630,
    },
  };
}

async function main() {
  const loadAtStart = loadavg()[0];
  const started = performance.now();
  const dirA = await tempDir("custos-bench-a-");
  const dirB = await tempDir("custos-bench-b-");
  const dbA = await openChain(dirA.path, genesis, common);
  const dbB = await openChain(dirB.path, genesis, common);
  const builder = createExecutionEngine({ chainDb: dbA });
  const replayer = createExecutionEngine({ chainDb: dbB });

  const tSign = performance.now();
  const grantBlocks = presign(BLOCKS, TXS, (i) => grantCalldata(i), 150_000n);
  const signMs = performance.now() - tSign;
  const grants = await buildAll(builder, dbA, grantBlocks);
  const grantReplay = await replayAll(replayer, grants.built);

  const batchBlocks = presign(
    3,
    BATCH_TXS,
    (i) => batchGrantCalldata(10_000_000 + i * BATCH, BATCH),
    15_000_000n,
  );
  const batches = await buildAll(builder, dbA, batchBlocks);
  const batchReplay = await replayAll(replayer, batches.built);

  const sample = grantBlocks[0]?.slice(0, 500) ?? [];
  const logIndex = await logIndexBench();
  const results = {
    machine: {
      cpus: cpus().length,
      availableParallelism: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? "",
      loadavg1mAtStart: loadAtStart,
      loadavg1mAtEnd: loadavg()[0],
      note: "shared machine: other agents were running concurrently; figures vary run to run",
    },
    nativeCrypto: loadNativeCrypto().native,
    grantBlocks: { blocks: BLOCKS, txsPerBlock: TXS, hospitals: HOSPITALS },
    grantBuildTxPerSec: round(rate(grants.phase)),
    grantReplayTxPerSec: round(rate(grantReplay)),
    grantBuildTxPerCpuSec: round(rate(grants.phase, 1, grants.phase.cpuMs)),
    grantReplayTxPerCpuSec: round(rate(grantReplay, 1, grantReplay.cpuMs)),
    grantBuildBlockMsMedian: round(median(grants.phase.blockMs)),
    grantBuildCommitMsMedian: round(median(grants.phase.commitMs)),
    grantReplayBlockMsMedian: round(median(grantReplay.blockMs)),
    grantReplayCommitMsMedian: round(median(grantReplay.commitMs)),
    batchGrant: { blocks: 3, txsPerBlock: BATCH_TXS, consentsPerTx: BATCH },
    batchGrantBuildConsentsPerSec: round(rate(batches.phase, BATCH)),
    batchGrantReplayConsentsPerSec: round(rate(batchReplay, BATCH)),
    batchGrantBuildConsentsPerCpuSec: round(rate(batches.phase, BATCH, batches.phase.cpuMs)),
    batchGrantReplayConsentsPerCpuSec: round(rate(batchReplay, BATCH, batchReplay.cpuMs)),
    batchGrantBuildBlockMsMedian: round(median(batches.phase.blockMs)),
    batchGrantCommitMsMedian: round(median(batches.phase.commitMs)),
    signatureRecoveryPerSec: {
      native: round(signatureRecoveryPerSec(true, sample)),
      pureJs: round(signatureRecoveryPerSec(false, sample.slice(0, 200))),
    },
    presignTxPerSec: round((BLOCKS * TXS * 1000) / signMs),
    logIndex,
    totalSeconds: Math.round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(results, null, 2));
  await writeFile(
    new URL("./results/execution.json", import.meta.url),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  await dbA.close();
  await dbB.close();
  await dirA.remove();
  await dirB.remove();
}

await main();
