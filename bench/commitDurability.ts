/**
 * What durable commits cost (issue 11; docs/decisions/007-commit-durability.md): blocks/s and
 * per-commit latency of `ChainDb.commitBlock` with and without LevelDB's synced writes and
 * the head marker (temp file, fsync, rename, directory fsync), on the same pre-built blocks.
 *
 * Blocks are executed once (empty blocks, and blocks of single-subject grants), then committed
 * into a fresh database per configuration, rounds interleaved; only the commits are timed.
 * Each database is then checked whole with `checkChain` (what the start-up check costs per
 * block).
 * Writes bench/results/commitDurability.json. Run: `node bench/commitDurability.ts`.
 * Environment (defaults): BENCH_ROUNDS (3), BENCH_EMPTY_BLOCKS (300), BENCH_GRANT_BLOCKS (60),
 * BENCH_GRANTS_PER_BLOCK (50), BENCH_DIR (the OS temp directory: put it on the disk a node
 * would use; fsync on tmpfs costs nothing).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { commitGenesis } from "../nodes/chain/index.ts";
import { type CommitBlockInput, checkChain, createChainDb } from "../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  installEvmPatches,
} from "../nodes/execution/index.ts";
import { devGenesis, grantCalldata, recorderOf, signedTx } from "../scripts/chainFixtures.ts";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env("BENCH_ROUNDS", 3);
const EMPTY_BLOCKS = env("BENCH_EMPTY_BLOCKS", 300);
const GRANT_BLOCKS = env("BENCH_GRANT_BLOCKS", 60);
const GRANTS_PER_BLOCK = env("BENCH_GRANTS_PER_BLOCK", 50);
const BASE = process.env.BENCH_DIR ?? tmpdir();

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });

interface Config {
  readonly name: string;
  readonly syncWrites: boolean;
  readonly marker: boolean;
}

const configs: readonly Config[] = [
  { name: "no sync, no marker (before issue 11)", syncWrites: false, marker: false },
  { name: "no sync, marker", syncWrites: false, marker: true },
  { name: "sync, no marker", syncWrites: true, marker: false },
  { name: "sync + marker (chosen)", syncWrites: true, marker: true },
];

/** Executes `count` blocks of `perBlock` grants each (0: empty blocks) once. */
async function buildBlocks(count: number, perBlock: number): Promise<CommitBlockInput[]> {
  const dir = await mkdtemp(join(BASE, "custos-bench-build-"));
  const chainDb = await createChainDb({ location: dir, common, syncWrites: false });
  try {
    await commitGenesis(chainDb, genesis);
    await installEvmPatches();
    const engine = createExecutionEngine({ chainDb });
    const built: CommitBlockInput[] = [];
    for (let b = 0; b < count; b++) {
      const parent = chainDb.head() as Block;
      const txs = Array.from({ length: perBlock }, (_, i) => {
        const recorder = recorderOf(keys, i % 2);
        return signedTx(common, recorder.privateKey, {
          nonce: BigInt(b * (perBlock / 2) + Math.floor(i / 2)),
          to: genesis.contracts.consentRegistry,
          data: grantCalldata(b * perBlock + i, recorder.custodian),
          gasLimit: 200_000n,
        });
      });
      const block = await engine.buildBlock(parent, txs, {
        timestamp: parent.header.timestamp + 1n,
        coinbase: new Uint8Array(20),
        gasLimit: BigInt(genesis.gasLimit),
      });
      await engine.commit(block);
      built.push(block);
    }
    return built;
  } finally {
    await chainDb.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Commits the blocks into a fresh database; returns each commit's milliseconds and the
 * milliseconds of a `checkChain` over the whole chain (what the start-up check costs).
 */
async function commitAll(
  config: Config,
  blocks: readonly CommitBlockInput[],
): Promise<{ times: number[]; checkMs: number }> {
  const dir = await mkdtemp(join(BASE, "custos-bench-commit-"));
  const chainDb = await createChainDb({
    location: join(dir, "chain"),
    common,
    syncWrites: config.syncWrites,
    ...(config.marker ? { headMarker: join(dir, "chain-head.json") } : {}),
  });
  try {
    await commitGenesis(chainDb, genesis);
    const times: number[] = [];
    for (const block of blocks) {
      const started = performance.now();
      await chainDb.commitBlock(block);
      times.push(performance.now() - started);
    }
    const started = performance.now();
    const report = await checkChain(chainDb, { from: 0n, to: BigInt(blocks.length) });
    if (report.problems.length > 0) throw new Error("the benchmark chain does not check");
    return { times, checkMs: performance.now() - started };
  } finally {
    await chainDb.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function fileSystem(path: string): string {
  try {
    return (
      execFileSync("df", ["-T", path], { encoding: "utf8" }).split("\n")[1]?.split(/\s+/)[1] ?? "?"
    );
  } catch {
    return "?";
  }
}

const workloads = [
  { name: "empty blocks", blocks: await buildBlocks(EMPTY_BLOCKS, 0) },
  {
    name: `blocks of ${GRANTS_PER_BLOCK} grants`,
    blocks: await buildBlocks(GRANT_BLOCKS, GRANTS_PER_BLOCK),
  },
];
const samples = new Map<string, number[][]>();
const checks = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const workload of workloads) {
    for (const config of configs) {
      const key = `${workload.name}|${config.name}`;
      const { times, checkMs } = await commitAll(config, workload.blocks);
      samples.set(key, [...(samples.get(key) ?? []), times]);
      checks.set(workload.name, [...(checks.get(workload.name) ?? []), checkMs]);
    }
  }
}
const checkRates = workloads.map((workload) => {
  const ms = (checks.get(workload.name) ?? []).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] as number;
  const blocksPerSecond = round(((workload.blocks.length + 1) * 1000) / median, 0);
  console.log(`check ${workload.name.padEnd(22)} ${blocksPerSecond} blocks/s`);
  return { workload: workload.name, checkBlocksPerSecond: blocksPerSecond };
});
const results = workloads.flatMap((workload) =>
  configs.map((config) => {
    const rounds = samples.get(`${workload.name}|${config.name}`) ?? [];
    const perRound = rounds.map(
      (times) => (times.length * 1000) / times.reduce((a, b) => a + b, 0),
    );
    const all = rounds.flat().sort((a, b) => a - b);
    const result = {
      workload: workload.name,
      config: config.name,
      syncWrites: config.syncWrites,
      marker: config.marker,
      blocksPerSecond: round(
        perRound.sort((a, b) => a - b)[Math.floor(perRound.length / 2)] as number,
        0,
      ),
      commitMsMedian: round(quantile(all, 0.5)),
      commitMsP99: round(quantile(all, 0.99)),
    };
    console.log(
      `${workload.name.padEnd(22)} ${config.name.padEnd(38)} ${String(result.blocksPerSecond).padStart(6)} blocks/s  median ${result.commitMsMedian} ms  p99 ${result.commitMsP99} ms`,
    );
    return result;
  }),
);
const out = new URL("./results/commitDurability.json", import.meta.url).pathname;
await writeFile(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        kernel: release(),
        fileSystem: fileSystem(BASE),
      },
      rounds: ROUNDS,
      results,
      startupCheck: checkRates,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);
