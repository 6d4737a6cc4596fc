/**
 * `npm run soak`: a `custos node --dev` process (1 s block period) under 30 minutes of mixed
 * traffic — 10 clients of valid work (consent grants, eth_calls, bounded log queries, head
 * reads) beside continuous abuse (infinite-loop calls, unbounded log queries, oversized
 * bodies, malformed and deeply nested JSON, WebSocket floods) — while /liveness, the arrival
 * of new blocks and the node's memory are watched. The abuse comes from its own loopback
 * address (127.0.0.2), the valid clients from 127.0.0.1. Writes bench/results/soak.json and exits 1
 * if a goal is missed:
 *
 * - `livenessP99Ms` ≤ 100;
 * - `blockPeriodP99Ms` ≤ 1.5 × `blockPeriodMs`;
 * - `validErrors` = 0;
 * - `rssGrowthPercent` ≤ 10: the growth of the node's resident memory over the last two
 *   thirds of the run (the last 20 minutes of 30), read from the least-squares line through
 *   all samples of that span (one per 10 s), from its value at the start of the span to its
 *   value at the end. The resident size swings by ±100 MB within a minute (call workers'
 *   heaps, garbage between collections), so two single samples measure the swing more than
 *   the trend a leak would show; both single samples are kept in the detail.
 *
 * The node starts warm (bench/soak/warmUp.ts): before the measured minutes it is given
 * `SOAK_WARM_CONSENTS` (150,000) consents in bulk and serves `SOAK_WARM_CALLS` (60,000)
 * consentOf calls, so its bounded caches are full, as on a hospital's node that has run for a
 * while, and the memory trend shows leaks rather than caches filling. (From a fresh chain the
 * 30 minutes measured 16.6 %, the caches still filling: the trie-node caches of the main
 * thread and of the call workers, and LevelDB's memtable, which grows to 64 MiB between
 * flushes.) Set both to 0 for a cold start.
 *
 * Outside CI (it runs for `SOAK_MINUTES`, default 30); stops itself and its node.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCustosChain, writeCustosConfig } from "./node/custosChain.ts";
import { leastSquares, percentile, round } from "./node/stats.ts";
import { runAbusiveTraffic } from "./soak/abusiveTraffic.ts";
import { probeMemory, probeNodeMetrics } from "./soak/probes.ts";
import { startProbeThread } from "./soak/probeThread.ts";
import { runValidTraffic } from "./soak/validTraffic.ts";
import { warmUpNode } from "./soak/warmUp.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const CLIENTS = 10;
const BLOCK_PERIOD_MS = 1_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const RESULTS = new URL("./results/soak.json", import.meta.url);

const WARM_CONSENTS = Number(process.env.SOAK_WARM_CONSENTS ?? 150_000);
const WARM_CALLS = Number(process.env.SOAK_WARM_CALLS ?? 60_000);

if (!(MINUTES > 0 && MINUTES <= 24 * 60)) throw new Error("SOAK_MINUTES must be in (0, 1440]");
for (const [name, value] of [
  ["SOAK_WARM_CONSENTS", WARM_CONSENTS],
  ["SOAK_WARM_CALLS", WARM_CALLS],
] as const) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer`);
  }
}

const dir = await mkdtemp(join(tmpdir(), "custos-soak-"));
const configFile = join(dir, "node.json");
const dataDir = join(dir, "data");
const custosConfig = await writeCustosConfig(configFile, {
  dataDir,
  hospitals: CLIENTS,
  blockGasLimit: 30_000_000,
  logLevel: "warn",
});
const node = await startCustosChain({
  configFile,
  dataDir,
  reindex: false,
  rpcTimeoutMs: 30_000,
  startTimeoutMs: 120_000,
  echo: process.env.SOAK_ECHO === "1",
});
const rpcUrl = node.rpc.url;
const wsUrl = rpcUrl.replace(/^http/, "ws");
const clientKeys = node.setup.hospitals.map((h, i) => ({
  custodian: i + 1,
  privateKey: h.recorder.privateKey,
}));
const warmUp = await warmUpNode(rpcUrl, node.setup.contracts.consentRegistry, clientKeys, {
  consents: WARM_CONSENTS,
  calls: WARM_CALLS,
});
console.log(
  `soak: warmed up with ${warmUp.consents} consents and ${warmUp.calls} calls in ${warmUp.seconds} s`,
);
console.log(`soak: ${MINUTES} min against ${rpcUrl} (pid ${node.pid})`);

const runMs = MINUTES * 60_000;
const memory = probeMemory(node.pid, 10_000);
const probes = startProbeThread({
  rpcUrl,
  wsUrl,
  livenessIntervalMs: 250,
  livenessTimeoutMs: 5_000,
});
const nodeMetrics = probeNodeMetrics(rpcUrl, "custos_", 10_000);
const valid = runValidTraffic(
  rpcUrl,
  node.setup.chainId,
  node.setup.contracts.consentRegistry,
  clientKeys,
);
const abuse = runAbusiveTraffic(rpcUrl, wsUrl, {
  maxBodyBytes: MAX_BODY_BYTES,
  loopCallsInFlight: 4,
  floodMessages: 2_000,
  requestTimeoutMs: 60_000,
  sourceAddress: "127.0.0.2",
});

const started = performance.now();
const progress = setInterval(() => {
  const minutes = (performance.now() - started) / 60_000;
  console.log(`soak: ${minutes.toFixed(1)} / ${MINUTES} min`);
}, 60_000);
await new Promise((resolve) => setTimeout(resolve, runMs));
clearInterval(progress);

const [abuseReport, validReport, probeSamples, memorySamples, metricSamples] = await Promise.all([
  abuse.stop(),
  valid.stop(),
  probes.stop(),
  memory.stop(),
  nodeMetrics.stop(),
]);
const { liveness: livenessSamples, heads: headSamples } = probeSamples;
const nodeCpuSeconds = node.cpuSeconds();
await node.stop();
await rm(dir, { recursive: true, force: true });

/** The first sample at or after each whole minute, mapped by `value`. */
function perMinute<T extends { atMs: number }, V>(samples: readonly T[], value: (s: T) => V): V[] {
  const picked: V[] = [];
  for (let minute = 0; minute <= MINUTES; minute++) {
    const sample = samples.find((s) => s.atMs >= minute * 60_000);
    if (sample !== undefined) picked.push(value(sample));
  }
  return picked;
}

const baselineAt = runMs / 3;
const baseline = memorySamples.find((s) => s.atMs >= baselineAt) ?? memorySamples[0];
const last = memorySamples[memorySamples.length - 1];
if (baseline === undefined || last === undefined) throw new Error("no memory samples");
const trend = leastSquares(
  memorySamples.filter((s) => s.atMs >= baselineAt).map((s) => [s.atMs, s.bytes] as const),
);
const trendStart = trend.at(baselineAt);
const trendEnd = trend.at(last.atMs);
const rssGrowthPercent = round(((trendEnd - trendStart) / trendStart) * 100, 1);
const livenessP99Ms = round(percentile(livenessSamples.latenciesMs, 0.99), 1);
const blockPeriodP99Ms = round(percentile(headSamples.intervalsMs, 0.99), 0);

const goals = {
  livenessP99MsAtMost100: livenessP99Ms <= 100 && livenessSamples.failures === 0,
  blockPeriodP99WithinOneAndAHalfPeriods:
    blockPeriodP99Ms <= 1.5 * BLOCK_PERIOD_MS && headSamples.failures === 0,
  noValidErrors: validReport.errors === 0 && validReport.grants > 0,
  rssGrowthPercentAtMost10: rssGrowthPercent <= 10,
};
const results = {
  date: new Date().toISOString(),
  node: process.version,
  minutes: MINUTES,
  livenessP99Ms,
  blockPeriodMs: BLOCK_PERIOD_MS,
  blockPeriodP99Ms,
  validErrors: validReport.errors,
  rssGrowthPercent,
  goals,
  warmUp,
  detail: {
    liveness: {
      requests: livenessSamples.latenciesMs.length + livenessSamples.failures,
      failures: livenessSamples.failures,
      p50Ms: round(percentile(livenessSamples.latenciesMs, 0.5), 2),
      maxMs: round(Math.max(0, ...livenessSamples.latenciesMs), 1),
    },
    blocks: {
      heads: headSamples.heads,
      subscriptionFailures: headSamples.failures,
      periodP50Ms: round(percentile(headSamples.intervalsMs, 0.5), 0),
      periodMaxMs: round(Math.max(0, ...headSamples.intervalsMs), 0),
    },
    valid: {
      clients: CLIENTS,
      operations: validReport.operations,
      grants: validReport.grants,
      errors: validReport.errors,
      errorSamples: validReport.errorSamples,
      iterationP50Ms: round(percentile(validReport.iterationMs, 0.5), 0),
      iterationP99Ms: round(percentile(validReport.iterationMs, 0.99), 0),
    },
    abuse: abuseReport,
    memory: {
      trendStartMiB: round(trendStart / 2 ** 20, 1),
      trendEndMiB: round(trendEnd / 2 ** 20, 1),
      baselineMiB: round(baseline.bytes / 2 ** 20, 1),
      baselineAtMin: round(baseline.atMs / 60_000, 1),
      /** Growth between the two single samples (start of the span, end of the run). */
      endpointGrowthPercent: round(((last.bytes - baseline.bytes) / baseline.bytes) * 100, 1),
      endMiB: round(last.bytes / 2 ** 20, 1),
      peakMiB: round(Math.max(...memorySamples.map((s) => s.bytes)) / 2 ** 20, 1),
      /** Resident memory at each whole minute, MiB. */
      perMinuteMiB: perMinute(memorySamples, (s) => round(s.bytes / 2 ** 20, 1)),
      /** Of which anonymous (heaps, native allocations), at each whole minute, MiB. */
      anonPerMinuteMiB: perMinute(memorySamples, (s) => round(s.anonBytes / 2 ** 20, 1)),
      /** Of which mapped files (LevelDB's table files), at each whole minute, MiB. */
      filePerMinuteMiB: perMinute(memorySamples, (s) => round(s.fileBytes / 2 ** 20, 1)),
      /** Main-thread V8 heap in use at each whole minute, MiB. */
      heapUsedPerMinuteMiB: perMinute(metricSamples.samples, (s) =>
        round(s.heapUsedBytes / 2 ** 20, 1),
      ),
      /** Main-thread V8 heap committed at each whole minute, MiB. */
      heapTotalPerMinuteMiB: perMinute(metricSamples.samples, (s) =>
        round(s.heapTotalBytes / 2 ** 20, 1),
      ),
      /** Of which the young generation, at each whole minute, MiB. */
      newSpacePerMinuteMiB: perMinute(metricSamples.samples, (s) =>
        round(s.newSpaceBytes / 2 ** 20, 1),
      ),
      /** V8 heap of the call and replay workers at each whole minute, MiB. */
      workerHeapPerMinuteMiB: perMinute(metricSamples.samples, (s) =>
        round(s.workerHeapBytes / 2 ** 20, 1),
      ),
      /** Main-thread external (off-heap) memory at each whole minute, MiB. */
      externalPerMinuteMiB: perMinute(metricSamples.samples, (s) =>
        round(s.externalBytes / 2 ** 20, 1),
      ),
      /** Keys and values in the trie-node and flat-state caches at each whole minute, MiB. */
      stateCachesPerMinuteMiB: perMinute(metricSamples.samples, (s) => ({
        trie: round(s.trieCacheBytes / 2 ** 20, 1),
        flat: round(s.flatCacheBytes / 2 ** 20, 1),
      })),
    },
    eventLoop: {
      /** The node's own p99 event-loop delay per 10 s scrape: median and worst interval. */
      intervalP99MedianMs: round(
        percentile(
          metricSamples.samples.map((s) => s.eventLoopP99Ms),
          0.5,
        ),
        1,
      ),
      intervalP99MaxMs: round(
        Math.max(0, ...metricSamples.samples.map((s) => s.eventLoopP99Ms)),
        1,
      ),
      scrapeFailures: metricSamples.failures,
    },
    nodeCpuSeconds: round(nodeCpuSeconds, 1),
    custosConfig,
  },
};
await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify({ ...results, detail: undefined }, null, 2));
console.log(`wrote ${RESULTS.pathname}`);
process.exit(Object.values(goals).every(Boolean) ? 0 : 1);
