/**
 * Network benchmark (`npm run bench:network`, issue 13): Custos networks of 4 and 7
 * validators, every validator a separate process on 127.0.0.1 of this one machine, beside
 * Hardhat's EDR node and Ganache (single processes) running the same workload in the same run.
 *
 * 1. Sustained ConsentRegistry.grant from every hospital recorder (the rounds of bench:node)
 *    on the 4-validator network, EDR and Ganache (each in both mining modes; the faster is
 *    compared): tx/s medians and ratios.
 * 2. On the 4-validator network: finality (submit → receipt in a committed block) of
 *    transactions sent one every 250 ms; consensus messages and CPU per block while idle and
 *    over the grant rounds; batchGrant consents/s.
 * 3. The same grant rounds, finality and messages on a 7-validator network.
 * 4. Catch-up: an empty node syncing BENCH_CATCHUP_BLOCKS (10,000) committed empty blocks.
 *
 * Prints figures as it goes and writes bench/results/network.json. Environment (defaults):
 * BENCH_ROUNDS (3), BENCH_ROUND_SECONDS (8), BENCH_BATCH_SECONDS (45), BENCH_CATCHUP_BLOCKS
 * (10,000), BENCH_FINALITY_TXS (60), BENCH_ECHO=1, BENCH_NODE_LOG_LEVEL (warn).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bytesToHex } from "@ethereumjs/util";
import { defaultDevGenesisOptions } from "../nodes/chain/index.ts";
import { measureCatchUp } from "./network/catchUp.ts";
import { probeFinality } from "./network/finality.ts";
import { type NetworkChain, startNetworkChain } from "./network/networkChain.ts";
import { runBatchGrantPhase } from "./node/batchGrantPhase.ts";
import type { BenchChain } from "./node/benchChain.ts";
import {
  BLOCK_GAS_LIMIT,
  createSay,
  ECHO,
  envNumber,
  machineFacts,
  POLL_MS,
  RPC_TIMEOUT_MS,
  START_TIMEOUT_MS,
} from "./node/benchSettings.ts";
import { startEdrChain } from "./node/edrChain.ts";
import { startGanacheChain } from "./node/ganacheChain.ts";
import { best, comparedModes, type GrantRounds, runGrantRounds } from "./node/grantRounds.ts";
import { createGrantStream } from "./node/grantStream.ts";
import { median, round } from "./node/stats.ts";
import { createTxSigner, custodianOf, grantCalldata, pseudonym } from "./node/workload.ts";

const ROUNDS = envNumber("BENCH_ROUNDS", 3);
const ROUND_SECONDS = envNumber("BENCH_ROUND_SECONDS", 8);
const BATCH_SECONDS = envNumber("BENCH_BATCH_SECONDS", 45);
const CATCHUP_BLOCKS = envNumber("BENCH_CATCHUP_BLOCKS", 10_000);
const FINALITY_TXS = envNumber("BENCH_FINALITY_TXS", 60);
const NODE_LOG_LEVEL = process.env.BENCH_NODE_LOG_LEVEL ?? "warn";
const LANES = 4;
const RPC_BATCH = 100;
const IDLE_SECONDS = 10;

const started = performance.now();
const say = createSay(started);

/** Consensus messages and CPU per block over a stretch of the network's life. */
interface PerBlock {
  readonly blocks: number;
  readonly msgsPerBlock: number;
  /** CPU per node per block (mean over the nodes). */
  readonly cpuMsPerBlockPerNode: number;
}

async function perBlockOver(net: NetworkChain, work: () => Promise<void>): Promise<PerBlock> {
  const before = await net.consensusTotals();
  const cpuBefore = net.cpuSecondsPerNode();
  await work();
  const after = await net.consensusTotals();
  const cpuAfter = net.cpuSecondsPerNode();
  const blocks = Math.max(1, after.height - before.height);
  const cpu = cpuAfter.reduce((sum, c, i) => sum + c - (cpuBefore[i] ?? 0), 0);
  return {
    blocks,
    msgsPerBlock: round((after.messagesSent - before.messagesSent) / blocks, 1),
    cpuMsPerBlockPerNode: round((cpu * 1000) / blocks / cpuAfter.length, 1),
  };
}

function streamOf(net: { setup: NetworkChain["setup"] }, gasLimit: bigint) {
  const recorders = net.setup.hospitals.map((h) => h.recorder);
  return {
    recorders,
    stream: createGrantStream(
      createTxSigner(net.setup.chainId, recorders),
      net.setup.contracts.consentRegistry,
      recorders.length,
      gasLimit,
    ),
  };
}

async function grantGasLimit(chain: BenchChain, from: string, registry: string): Promise<bigint> {
  const gas = BigInt(
    await chain.rpc.call<string>("eth_estimateGas", [
      {
        from,
        to: registry,
        data: bytesToHex(
          grantCalldata(custodianOf(0), pseudonym("probe", 0), pseudonym("probe-document", 0)),
        ),
      },
    ]),
  );
  return (gas * 12n) / 10n;
}

function roundOptions(hospitals: number) {
  return {
    rounds: ROUNDS,
    roundSeconds: ROUND_SECONDS,
    maxRoundTxs: 15_000,
    hospitals,
    warmupTxs: 25 * hospitals,
    lanes: LANES,
    rpcBatch: RPC_BATCH,
    pollMs: POLL_MS,
    say,
  };
}

async function idle(seconds: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

async function main(): Promise<void> {
  const loadavgAtStart = loadavg();
  const base = await mkdtemp(join(tmpdir(), "custos-bench-network-"));
  const running: BenchChain[] = [];
  try {
    // 1. Four validators beside EDR and Ganache.
    const net4 = await startNetworkChain({
      dir: join(base, "net4"),
      validators: 4,
      gasLimit: BLOCK_GAS_LIMIT,
      rpcTimeoutMs: RPC_TIMEOUT_MS,
      logLevel: NODE_LOG_LEVEL,
    });
    running.push(net4);
    say(`custos-4: ${net4.rpc.url}`);
    const idle4 = await perBlockOver(net4, () => idle(IDLE_SECONDS));
    say(
      `custos-4 idle: ${idle4.msgsPerBlock} msgs/block, ${idle4.cpuMsPerBlockPerNode} CPU-ms/block/node`,
    );
    const common = {
      setup: net4.setup,
      blockGasLimit: BLOCK_GAS_LIMIT,
      balance: defaultDevGenesisOptions.balance,
      rpcTimeoutMs: RPC_TIMEOUT_MS,
      startTimeoutMs: START_TIMEOUT_MS,
      echo: ECHO,
    };
    const others: BenchChain[] = [
      await startEdrChain({ ...common, dir: join(base, "edr-automine") }),
      await startEdrChain({ ...common, dir: join(base, "edr-interval"), intervalMs: 1000 }),
      await startGanacheChain({ ...common, dir: join(base, "ganache-instamine") }),
      await startGanacheChain({
        ...common,
        dir: join(base, "ganache-interval"),
        blockTimeSeconds: 1,
      }),
    ];
    running.push(...others);
    const registry = net4.setup.contracts.consentRegistry;
    const { recorders, stream } = streamOf(
      net4,
      await grantGasLimit(net4, net4.setup.hospitals[0]?.recorder.address as string, registry),
    );
    const entries = [net4, ...others].map(
      (chain): GrantRounds => ({
        chain,
        stream,
        cursor: 0,
        nextSize: 25 * recorders.length,
        rounds: [],
      }),
    );
    let grantResults: Awaited<ReturnType<typeof runGrantRounds>> | undefined;
    const underLoad4 = await perBlockOver(net4, async () => {
      grantResults = await runGrantRounds(entries, roundOptions(recorders.length));
    });
    const results4 = grantResults as NonNullable<typeof grantResults>;
    for (const chain of others) {
      await chain.stop();
      running.splice(running.indexOf(chain), 1);
    }

    const entry4 = entries[0] as GrantRounds;
    const finality4 = await probeFinality(
      net4.rpc,
      stream.take(entry4.cursor, Math.ceil(FINALITY_TXS / recorders.length) * recorders.length),
      250,
    );
    entry4.cursor += Math.ceil(FINALITY_TXS / recorders.length) * recorders.length;
    say(`custos-4 finality: p50 ${finality4.p50Ms} ms, p99 ${finality4.p99Ms} ms`);

    const nonces = await net4.rpc.batch(
      recorders.map((h) => ({ method: "eth_getTransactionCount", params: [h.address, "latest"] })),
    );
    const bulk = await runBatchGrantPhase({
      rpc: net4.rpc,
      signer: createTxSigner(
        net4.setup.chainId,
        recorders,
        nonces.map((n) => {
          if ("error" in n) throw new Error(`eth_getTransactionCount: ${n.error.message}`);
          return Number(n.result);
        }),
      ),
      registry,
      hospitals: recorders.length,
      estimateFrom: recorders[0]?.address as string,
      maxConsents: 10_000_000,
      budgetSeconds: BATCH_SECONDS,
      segmentSeconds: 15,
      load: {
        batchSize: 10,
        lanes: LANES,
        pollMs: POLL_MS,
        sampleEvery: 10,
        cpuSeconds: net4.cpuSeconds,
      },
    });
    const bulk4 = round(median(bulk.segments.map((s) => s.consentsPerSec)));
    say(`custos-4 batchGrant: ${bulk4} consents/s (median of ${bulk.segments.length} segments)`);
    await net4.stop();
    running.splice(running.indexOf(net4), 1);

    // 3. Seven validators.
    const net7 = await startNetworkChain({
      dir: join(base, "net7"),
      validators: 7,
      gasLimit: BLOCK_GAS_LIMIT,
      rpcTimeoutMs: RPC_TIMEOUT_MS,
      logLevel: NODE_LOG_LEVEL,
    });
    running.push(net7);
    say(`custos-7: ${net7.rpc.url}`);
    const idle7 = await perBlockOver(net7, () => idle(IDLE_SECONDS));
    say(
      `custos-7 idle: ${idle7.msgsPerBlock} msgs/block, ${idle7.cpuMsPerBlockPerNode} CPU-ms/block/node`,
    );
    const seven = streamOf(
      net7,
      await grantGasLimit(
        net7,
        net7.setup.hospitals[0]?.recorder.address as string,
        net7.setup.contracts.consentRegistry,
      ),
    );
    const entry7: GrantRounds = {
      chain: net7,
      stream: seven.stream,
      cursor: 0,
      nextSize: 25 * seven.recorders.length,
      rounds: [],
    };
    const results7 = await runGrantRounds([entry7], roundOptions(seven.recorders.length));
    const finalityTxs7 = Math.ceil(FINALITY_TXS / seven.recorders.length) * seven.recorders.length;
    const finality7 = await probeFinality(
      net7.rpc,
      seven.stream.take(entry7.cursor, finalityTxs7),
      250,
    );
    say(`custos-7 finality: p50 ${finality7.p50Ms} ms, p99 ${finality7.p99Ms} ms`);
    await net7.stop();
    running.splice(running.indexOf(net7), 1);

    // 4. Catch-up.
    const catchUp = await measureCatchUp(join(base, "catchup"), CATCHUP_BLOCKS);
    say(
      `catch-up: ${catchUp.blocks} blocks in ${round(catchUp.syncSeconds, 1)} s = ${round(catchUp.blocksPerSec)} blocks/s`,
    );

    const tx4 = results4.get(net4.name)?.txPerSecMedian ?? 0;
    const edr = best(results4, "edr");
    const ganache = best(results4, "ganache");
    const tx7 = results7.get(net7.name)?.txPerSecMedian ?? 0;
    const results = {
      validators4TxPerSec: tx4,
      ganacheTxPerSec: ganache?.txPerSec ?? null,
      edrTxPerSec: edr?.txPerSec ?? null,
      validators4VsGanache: ganache === undefined ? null : round(tx4 / ganache.txPerSec, 2),
      validators4VsEdr: edr === undefined ? null : round(tx4 / edr.txPerSec, 2),
      finality4P50Ms: finality4.p50Ms,
      finality4P99Ms: finality4.p99Ms,
      validators7TxPerSec: tx7,
      finality7P50Ms: finality7.p50Ms,
      finality7P99Ms: finality7.p99Ms,
      msgsPerBlock4: idle4.msgsPerBlock,
      msgsPerBlock7: idle7.msgsPerBlock,
      msgsPerBlock4UnderLoad: underLoad4.msgsPerBlock,
      bulkConsentsPerSec4: bulk4,
      cpuMsPerBlock4: idle4.cpuMsPerBlockPerNode,
      cpuMsPerBlock4UnderLoad: underLoad4.cpuMsPerBlockPerNode,
      catchUpBlocksPerSec: round(catchUp.blocksPerSec),
      goals: {
        validators4TxPerSecAtLeast400: tx4 >= 400,
        validators4AtLeastGanache: ganache === undefined ? null : tx4 >= ganache.txPerSec,
        validators4AtLeast03Edr: edr === undefined ? null : tx4 >= 0.3 * edr.txPerSec,
        finality4P50AtMost1000Ms: finality4.p50Ms <= 1000,
        finality4P99AtMost2000Ms: finality4.p99Ms <= 2000,
        catchUpAtLeast1000BlocksPerSec: catchUp.blocksPerSec >= 1000,
      },
      method: {
        comparedModes: comparedModes(edr, ganache),
        grant: {
          rounds: ROUNDS,
          roundSeconds: ROUND_SECONDS,
          lanes: LANES,
          txsPerHttpRequest: RPC_BATCH,
          senders:
            "each hospital's consent recorder (4 on the 4-validator network and its comparison chains, 7 on the 7-validator network)",
          throughput:
            "committed txs / (first send to the observed receipt of every sender's last tx); median of rounds after a warm-up",
        },
        finality: `${FINALITY_TXS} grants sent one every 250 ms to hospital 0, each timed from eth_sendRawTransaction to the first receipt poll (every 20 ms) that finds it`,
        msgsPerBlock: `custos_consensus_messages_sent_total summed over the nodes, per block committed, over ${IDLE_SECONDS} s with no transactions (and over the grant rounds: UnderLoad)`,
        cpuMsPerBlock:
          "CPU (utime + stime) of every node process over the same interval, per block, divided by the validator count: one hospital's node",
        catchUp: `${CATCHUP_BLOCKS} empty blocks sealed by the 4 genesis validators, served by one node; an empty node of the same network syncs them; rate from its first synced block to the last`,
        blockGasLimit: BLOCK_GAS_LIMIT,
        blockPeriodSeconds: 1,
      },
      grant: Object.fromEntries(results4),
      grant7: Object.fromEntries(results7),
      finality4,
      finality7,
      perBlock: { idle4, underLoad4, idle7 },
      batchGrant: {
        consentsPerTx: bulk.chunkSize,
        segments: bulk.segments.map((s) => ({
          consents: s.consents,
          seconds: round(s.seconds, 2),
          consentsPerSec: round(s.consentsPerSec),
        })),
      },
      catchUp: {
        ...catchUp,
        seconds: round(catchUp.seconds, 2),
        syncSeconds: round(catchUp.syncSeconds, 2),
        buildSeconds: round(catchUp.buildSeconds, 1),
        blocksPerSec: round(catchUp.blocksPerSec),
      },
      machine: {
        ...machineFacts(loadavgAtStart),
      },
      totalSeconds: round((performance.now() - started) / 1000),
    };
    console.log(JSON.stringify(results, null, 2));
    await writeFile(
      new URL("./results/network.json", import.meta.url),
      `${JSON.stringify(results, null, 2)}\n`,
    );
  } finally {
    await Promise.allSettled(running.map((chain) => chain.stop()));
    await rm(base, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
