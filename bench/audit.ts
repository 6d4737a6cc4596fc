/**
 * Audit index benchmark (issue 15): how fast a node's audit index is rebuilt from its chain
 * database, and how fast it answers a query's trail and a subject's history at scale.
 *
 * - `measureProjection`: builds chain databases in process (blocks of batch grants, each one
 *   transaction of BENCH_GRANTS_PER_BLOCK ConsentGranted events; and empty blocks), then
 *   rebuilds the audit index from each (`AuditFollower.rebuild`: read, project, file, one
 *   batch per block), BENCH_ROUNDS times; medians.
 * - `measureReads`: writes SYNTHETIC entries straight into an index (a chain with a million
 *   consent events would take hours to produce): BENCH_SUBJECTS subjects with two consent
 *   events each (1 M events by default) and BENCH_QUERIES queries of four targets with a
 *   result from each (10,000 results), then times random query trails, subject histories and
 *   query listings; median and p99. Over the same index, `measureDisclosures` and
 *   `measureExport` (bench/auditDisclosures.ts) time a subject's accounting of disclosures
 *   and the FHIR AuditEvent export.
 * - `measureAuditProofVerify` (bench/auditProof.ts): an offline proof with 7 validators and
 *   100 validator-set changes.
 * The `summary` section gives the keys with their goals.
 *
 * Run: `npm run bench:audit` (writes bench/results/audit.json). Environment (defaults):
 * BENCH_ROUNDS (3), BENCH_GRANT_BLOCKS (60), BENCH_GRANTS_PER_BLOCK (500), BENCH_EMPTY_BLOCKS
 * (2000), BENCH_SUBJECTS (500000), BENCH_QUERIES (2500), BENCH_READS (2000),
 * BENCH_DISCLOSURE_PERSONS (250000), BENCH_DISCLOSURE_READS (500), BENCH_DIR (the OS temp
 * directory).
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { createAuditFollower, openAuditIndex } from "../nodes/audit/index.ts";
import { commitGenesis } from "../nodes/chain/index.ts";
import { type ChainDb, createChainDb } from "../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  installEvmPatches,
  MAX_TX_GAS,
} from "../nodes/execution/index.ts";
import { batchGrantCalldata, devGenesis, recorderOf, signedTx } from "../scripts/chainFixtures.ts";
import type { AuditEntry } from "../src/audit/index.ts";
import type { Hex } from "../src/ledger/index.ts";
import { address, hash32, synthetic, syntheticBlock } from "../test/nodes/audit/syntheticAudit.ts";
import { measureDisclosures, measureExport } from "./auditDisclosures.ts";
import { measureAuditProofVerify } from "./auditProof.ts";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BASE = process.env.BENCH_DIR ?? tmpdir();

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const median = (xs: readonly number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

function directoryBytes(path: string): number {
  return Number(execFileSync("du", ["-sb", path], { encoding: "utf8" }).split("\t")[0]);
}

const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });

/** A chain database of `blocks` blocks, each one batch grant of `perBlock` subjects (0: empty). */
async function buildChain(location: string, blocks: number, perBlock: number): Promise<ChainDb> {
  const chainDb = await createChainDb({ location, common, syncWrites: false });
  await commitGenesis(chainDb, genesis);
  await installEvmPatches();
  const engine = createExecutionEngine({ chainDb });
  let sent = 0n;
  for (let b = 0; b < blocks; b++) {
    const parent = chainDb.head() as Block;
    // One recorder: its nonce is the number of batches it sent.
    const recorder = recorderOf(keys, 0);
    const txs =
      perBlock === 0
        ? []
        : [
            signedTx(common, recorder.privateKey, {
              nonce: sent++,
              to: genesis.contracts.consentRegistry,
              data: batchGrantCalldata(b * perBlock, perBlock, recorder.custodian),
              gasLimit: MAX_TX_GAS,
            }),
          ];
    const block = await engine.buildBlock(parent, txs, {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      gasLimit: BigInt(genesis.gasLimit),
    });
    if (
      block.block.transactions.length !== txs.length ||
      block.receipts.some((r) => r.status !== 1)
    ) {
      throw new Error(`block ${b + 1} did not take its batch grant`);
    }
    await engine.commit(block);
  }
  await chainDb.sync();
  return chainDb;
}

/** Rebuilds an index from `chainDb` `rounds` times; seconds of each rebuild. */
async function timeRebuilds(chainDb: ChainDb, rounds: number, dir: string): Promise<number[]> {
  const seconds: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const index = await openAuditIndex({ location: join(dir, `audit-${r}`), fresh: true });
    const follower = createAuditFollower({ chainDb, index, contracts: genesis.contracts });
    const started = performance.now();
    await follower.rebuild();
    seconds.push((performance.now() - started) / 1000);
    await follower.stop();
    await index.close();
  }
  return seconds;
}

/**
 * Rebuild throughput of the audit index from a chain database: blocks of batch grants and
 * empty blocks, separately.
 */
export async function measureProjection() {
  const rounds = env("BENCH_ROUNDS", 3);
  const grantBlocks = env("BENCH_GRANT_BLOCKS", 60);
  const perBlock = env("BENCH_GRANTS_PER_BLOCK", 500);
  const emptyBlocks = env("BENCH_EMPTY_BLOCKS", 2000);
  const dir = await mkdtemp(join(BASE, "custos-bench-audit-"));
  try {
    console.log(`building ${grantBlocks} blocks of ${perBlock} batch-granted consents …`);
    const grants = await buildChain(join(dir, "grants"), grantBlocks, perBlock);
    const grantSeconds = await timeRebuilds(grants, rounds, join(dir, "grants-audit"));
    await grants.close();
    console.log(`building ${emptyBlocks} empty blocks …`);
    const empty = await buildChain(join(dir, "empty"), emptyBlocks, 0);
    const emptySeconds = await timeRebuilds(empty, rounds, join(dir, "empty-audit"));
    await empty.close();
    const grantBlocksIndexed = grantBlocks + 1;
    const result = {
      grantBlocks,
      grantsPerBlock: perBlock,
      emptyBlocks,
      rounds,
      rebuildSecondsGrantChain: grantSeconds.map((s) => round(s, 3)),
      rebuildSecondsEmptyChain: emptySeconds.map((s) => round(s, 3)),
      projectionBlocksPerSec: round(grantBlocksIndexed / median(grantSeconds), 1),
      projectionEventsPerSec: Math.round((grantBlocks * perBlock) / median(grantSeconds)),
      emptyBlocksPerSec: Math.round((emptyBlocks + 1) / median(emptySeconds)),
    };
    console.log(
      `rebuild: ${result.projectionBlocksPerSec} blocks/s of ${perBlock} grants (${result.projectionEventsPerSec} events/s), ${result.emptyBlocksPerSec} empty blocks/s (medians of ${rounds})`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ENTRIES_PER_BLOCK = 5000;
const DAY = 86_400;
const T0 = 1_800_000_000;

/** Times `calls` reads, in milliseconds each, sorted. */
async function timeCalls(calls: number, read: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await read(i);
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b);
}

/** A deterministic pseudo-random sequence (xorshift32). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * Read latency of an audit index holding BENCH_SUBJECTS × 2 synthetic consent events and
 * BENCH_QUERIES × 4 results, written straight into the index.
 */
export async function measureReads() {
  const subjects = env("BENCH_SUBJECTS", 500_000);
  const queries = env("BENCH_QUERIES", 2500);
  const reads = env("BENCH_READS", 2000);
  const dir = await mkdtemp(join(BASE, "custos-bench-audit-reads-"));
  const location = join(dir, "audit");
  const index = await openAuditIndex({ location, fresh: true });
  try {
    const subjectKey = (i: number) => hash32(`bench-subject-${i}`);
    const recorder = (h: number) => address(`bench-recorder-${h}`);
    const researchers = Array.from({ length: 20 }, (_, i) => address(`bench-researcher-${i}`));
    let number = 0;
    let time = T0;
    const write = (make: Parameters<typeof syntheticBlock>[2]) => {
      time += Math.floor((100 * DAY) / ((2 * subjects) / ENTRIES_PER_BLOCK + queries / 25));
      return index.writeBlock(syntheticBlock(number++, time, make));
    };
    const started = performance.now();
    await write(() => []);
    // Consents: every subject granted, then updated (even) or revoked (odd) later on.
    for (const phase of ["grant", "change"] as const) {
      for (let first = 0; first < subjects; first += ENTRIES_PER_BLOCK) {
        await write((c) =>
          Array.from(
            { length: Math.min(ENTRIES_PER_BLOCK, subjects - first) },
            (_, k): AuditEntry => {
              const i = first + k;
              const args = {
                subject: subjectKey(i),
                custodian: (i % 4) + 1,
                actor: recorder((i % 4) + 1),
              };
              if (phase === "grant") return synthetic.granted(c.at(), { ...args, version: 1 });
              return i % 2 === 0
                ? synthetic.updated(c.at(), { ...args, version: 2 })
                : synthetic.revoked(c.at(), { ...args, version: 2 });
            },
          ),
        );
      }
    }
    // Queries: 25 per block, each submitted, approved, answered by its 4 targets, closed.
    for (let first = 1; first <= queries; first += 25) {
      const ids = Array.from({ length: Math.min(25, queries - first + 1) }, (_, k) => first + k);
      await write((c) =>
        ids.flatMap((queryId): AuditEntry[] => {
          const researcher = researchers[queryId % researchers.length] as Hex;
          const researcherOrg = 100 + (queryId % 5);
          return [
            synthetic.submitted(c.at(), {
              queryId,
              researcher,
              researcherOrg,
              purpose: [2, 4, 8][queryId % 3] as number,
              targets: [1, 2, 3, 4],
              expiry: T0 + 400 * DAY,
            }),
            synthetic.approved(c.at(), {
              queryId,
              reviewBoardOrg: 200,
              approver: address("bench-board"),
              approvals: 1,
              approved: true,
            }),
            ...[1, 2, 3, 4].map((hospitalId) =>
              synthetic.result(c.at(), {
                queryId,
                hospitalId,
                researcherOrg,
                recorder: recorder(hospitalId),
                epsilon: 10_000n,
                subjectCount: 100 + queryId,
              }),
            ),
            synthetic.closed(c.at(), {
              queryId,
              researcherOrg,
              closedBy: researcher,
              responseCount: 4,
            }),
          ];
        }),
      );
    }
    const writeSeconds = (performance.now() - started) / 1000;
    const consentEvents = 2 * subjects;
    const results = 4 * queries;
    console.log(
      `wrote ${consentEvents} synthetic consent events and ${results} results (${number} blocks) in ${round(writeSeconds, 1)} s`,
    );
    const next = random(42);
    const trail = await timeCalls(reads, async () => {
      const t = await index.reader.queryTrail(1 + Math.floor(next() * queries));
      if (t?.items.length !== 7) throw new Error("a trail lacks entries");
    });
    const history = await timeCalls(reads, async () => {
      const i = Math.floor(next() * subjects);
      const h = await index.reader.subjectHistory((i % 4) + 1, subjectKey(i));
      if (h.items.length !== 2) throw new Error("a history lacks entries");
    });
    const listing = await timeCalls(Math.min(reads, 500), async (i) => {
      const page = await index.reader.listQueries({ hospital: (i % 4) + 1, limit: 100 });
      if (page.items.length !== 100) throw new Error("a listing page is short");
    });
    const disclosures = await measureDisclosures(index.reader, {
      queries,
      hospitalId: 1,
      base: BASE,
    });
    const exported = await measureExport(index.reader);
    await index.close();
    const result = {
      synthetic: true,
      consentEvents,
      subjects,
      queries,
      results,
      blocks: number,
      writeSeconds: round(writeSeconds, 1),
      writeEntriesPerSec: Math.round((consentEvents + 7 * queries) / writeSeconds),
      indexMiB: round(directoryBytes(location) / 2 ** 20, 1),
      reads,
      queryTrailMsMedian: round(quantile(trail, 0.5), 3),
      queryTrailP99Ms: round(quantile(trail, 0.99), 3),
      subjectHistoryMsMedian: round(quantile(history, 0.5), 3),
      subjectHistoryP99Ms: round(quantile(history, 0.99), 3),
      listQueries100MsMedian: round(quantile(listing, 0.5), 3),
      listQueries100P99Ms: round(quantile(listing, 0.99), 3),
      disclosures,
      export: exported,
    };
    console.log(
      `query trail: median ${result.queryTrailMsMedian} ms, p99 ${result.queryTrailP99Ms} ms; subject history: median ${result.subjectHistoryMsMedian} ms, p99 ${result.subjectHistoryP99Ms} ms; listQueries(100): p99 ${result.listQueries100P99Ms} ms (${reads} random reads each, synthetic entries written straight into the index)`,
    );
    return result;
  } finally {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  // Other processes on the machine move these figures: the load average says how busy it was.
  const loadAtStart = loadavg().map((l) => round(l));
  const projection = await measureProjection();
  const readFigures = await measureReads();
  const proof = await measureAuditProofVerify();
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(
    new URL("./results/audit.json", import.meta.url),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          kernel: release(),
          node: process.version,
          loadAverageAtStart: loadAtStart,
          loadAverageAtEnd: loadavg().map((l) => round(l)),
        },
        // The issue's keys, each with its goal; the sections below hold the full figures.
        summary: {
          subjectDisclosuresP99Ms: {
            value: readFigures.disclosures.subjectDisclosuresP99Ms,
            goal: 50,
          },
          subjectDisclosureProofP99Ms: {
            value: readFigures.disclosures.subjectDisclosureProofP99Ms,
            goal: null,
          },
          queryTrailP99Ms: { value: readFigures.queryTrailP99Ms, goal: 50 },
          auditEventExportPerSec: { value: readFigures.export.auditEventExportPerSec, goal: null },
          proofVerifyMs: { value: proof.proofVerifyMs, goal: 10 },
          proofVerifyNativeMs: { value: proof.proofVerifyNativeMs, goal: 10 },
          proofVerifyWarmMs: { value: proof.proofVerifyWarmMs, goal: 10 },
          projectionBlocksPerSec: { value: projection.projectionBlocksPerSec, goal: null },
        },
        projection,
        reads: readFigures,
        proof,
      },
      null,
      2,
    )}\n`,
  );
  console.log("wrote bench/results/audit.json");
}
