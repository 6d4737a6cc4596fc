/**
 * Consent index benchmark: builds an index of 10 M synthetic subjects (mixed states), then
 * measures filterCohort over all 10 M subjects — the parallel path (`filterCohortAsync` on a
 * worker-thread executor) and the single-thread path (`filterCohort`), alternating in the
 * same run — with process peak RSS, then checkAccess throughput and per-call latency.
 * Writes bench/results/consent-index.json.
 *
 * Run: npm run bench:consent-index   (env SUBJECTS=n to change the size, COHORT_WORKERS=n
 * the worker count, default 2). `npm run bench:consent` imports {@link measureConsentIndex}
 * and runs it in its own process.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { dataCategories, purposeCodes } from "../src/consent/index.ts";
import {
  type AccessRequest,
  type CohortResult,
  type ConsentChange,
  createConsentIndex,
  createWorkerCohortExecutor,
  sha256,
} from "../src/consentIndex/index.ts";

/** Figures of one consent index benchmark run (see the module comment). */
export type ConsentIndexBenchResult = Awaited<ReturnType<typeof measureConsentIndex>>;

/**
 * Builds an index of `N` synthetic subjects and measures filterCohort (parallel and single
 * thread) time, CPU and peak RSS, and checkAccess throughput and latency. Logs progress;
 * writes nothing.
 */
export async function measureConsentIndex(
  N = Number(process.env.SUBJECTS ?? 10_000_000),
  workers = Number(process.env.COHORT_WORKERS ?? 2),
) {
  const POOL = Math.min(1 << 20, N);
  const CHECK_RUNS = 7;
  const LATENCY_CALLS = 200_000;
  const COHORT_RUNS = Number(process.env.COHORT_RUNS ?? 5);
  const NOW = 1_800_000_000;

  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] as number;
  };

  let seed = 0x9e3779b9;
  function rand32(): number {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  }

  const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(`subjects ${N}, load average at start ${load().join(" ")}`);

  // In shared memory, as an integrator would load a cohort for the worker executor (a
  // cohort outside shared memory is copied first: 32 bytes per subject).
  const keys = new Uint8Array(new SharedArrayBuffer(N * 32));
  const keyWords = new Uint32Array(keys.buffer);
  for (let i = 0; i < keyWords.length; i++) keyWords[i] = rand32();

  const P = purposeCodes;
  const C = dataCategories;
  const HMB_NCU = P.HMB.bit | P.NCU.bit;
  const CATS = C.CONDITIONS.bit | C.DRUGS.bit | C.MEASUREMENTS.bit | C.DEMOGRAPHICS.bit;

  /** State mix: 70 % active HMB+NCU, 8 % revoked, 6 % expired, 4 % not yet valid, 12 % clinical care only. */
  function changeFor(i: number, version: number): ConsentChange {
    const kind = i % 50;
    const base = {
      subject: keys.subarray(i * 32, i * 32 + 32),
      version,
      status: "active" as "active" | "revoked",
      purposes: HMB_NCU,
      categories: CATS,
      validFrom: NOW - 86_400 * 365,
      validUntil: 0,
      custodian: (i % 7) + 1,
      blockNumber: Math.floor(i / 1000),
      logIndex: i % 1000,
    };
    if (kind < 35) return base;
    if (kind < 39) return { ...base, status: "revoked" };
    if (kind < 42) return { ...base, validUntil: NOW - 86_400 };
    if (kind < 44) return { ...base, validFrom: NOW + 86_400 };
    return { ...base, purposes: P.CC.bit };
  }

  const cohortExecutor = createWorkerCohortExecutor({ workers });
  const index = createConsentIndex({
    now: () => NOW,
    expectedSubjects: N,
    maxStalenessSeconds: 60,
    cohortExecutor,
  });
  let t0 = performance.now();
  for (let i = 0; i < N; i++) index.apply(changeFor(i, 1));
  // A tenth of the subjects get a second version (an update or a revocation).
  for (let i = 0; i < N; i += 10) index.apply(changeFor(i + (i % 3), 2));
  const buildMs = performance.now() - t0;
  index.markSynced(Math.floor(N / 1000) + 1, NOW);
  const stats = index.stats();
  console.log(
    `build ${(buildMs / 1000).toFixed(1)} s (${Math.round((N * 1.1) / (buildMs / 1000))} changes/s), ` +
      `${mib(stats.bytes)} MiB, ${(stats.bytes / N).toFixed(1)} B/subject`,
  );

  // Cohort first, from a collected heap: its peak RSS then holds the index, the 10 M input
  // pseudonyms and the filter's own arrays, not the request pool of the checks below.
  (globalThis as { gc?: () => void }).gc?.();

  // Cohort: all N subjects, in generation order. The parallel and the single-thread path
  // alternate, so both see the same machine load; each run's wall and CPU time (all threads).
  const cohortRequest = { use: P.DS.bit | P.NCU.bit, categories: C.DRUGS.bit };
  const rssBeforeCohort = process.memoryUsage.rss();
  const peakBeforeCohortMiB = mib(process.resourceUsage().maxRSS * 1024);
  let rssPeakSampled = rssBeforeCohort;
  type Path = "parallel" | "singleThread";
  const runs: Record<Path, { ms: number[]; cpuMs: number[] }> = {
    parallel: { ms: [], cpuMs: [] },
    singleThread: { ms: [], cpuMs: [] },
  };
  const filter = (path: Path): Promise<CohortResult> | CohortResult =>
    path === "parallel"
      ? index.filterCohortAsync(keys, cohortRequest)
      : index.filterCohort(keys, cohortRequest);
  const gc = () => (globalThis as { gc?: () => void }).gc?.();
  {
    // Warm-up of both paths (JIT, worker start, scratch allocation); results must agree.
    const parallel = await filter("parallel");
    const single = await filter("singleThread");
    if (
      parallel.snapshot.root !== single.snapshot.root ||
      parallel.allowedCount !== single.allowedCount ||
      parallel.allowedIndices.some((v, i) => v !== single.allowedIndices[i])
    ) {
      throw new Error("parallel and single-thread cohort results differ");
    }
  }
  let allowedCount = 0;
  let deniedByReason = {};
  for (let r = 0; r < COHORT_RUNS; r++) {
    for (const path of ["parallel", "singleThread"] as const) {
      // Untimed: the previous run's 28 MB result is garbage by now; without a collection the
      // peak RSS would count it as well (a long-running node collects it in time anyway).
      gc();
      t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const result = await filter(path);
      const cpu = process.cpuUsage(cpu0);
      runs[path].ms.push(performance.now() - t0);
      runs[path].cpuMs.push((cpu.user + cpu.system) / 1000);
      rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage.rss());
      allowedCount = result.allowedCount;
      deniedByReason = result.deniedByReason;
    }
  }
  await cohortExecutor.close();
  const cohortLoadAverage = load();
  const filterCohort10MMs = Math.round(median(runs.parallel.ms));
  const filterCohortSingleThreadMs = Math.round(median(runs.singleThread.ms));
  // Lifetime peak so far: the build and the cohort runs (whichever is higher).
  const peakMiB = mib(process.resourceUsage().maxRSS * 1024);
  for (const path of ["parallel", "singleThread"] as const) {
    console.log(
      `filterCohort ${N} ${path}: median ${Math.round(median(runs[path].ms))} ms (runs ${runs[path].ms.map(Math.round).join(" ")}; CPU ${runs[path].cpuMs.map(Math.round).join(" ")})`,
    );
  }
  console.log(
    `allowed ${allowedCount}, denied ${JSON.stringify(deniedByReason)}, peak RSS ${peakMiB} MiB (before the cohort phase: RSS ${mib(rssBeforeCohort)} MiB, peak ${peakBeforeCohortMiB} MiB), load ${load().join(" ")}`,
  );

  // Request pool: 1 M random subjects (5 % unknown), hex strings as a caller would pass them.
  const hex = (i: number) => `0x${Buffer.from(keys.buffer, i * 32, 32).toString("hex")}`;
  const requests: AccessRequest[] = [];
  for (let k = 0; k < POOL; k++) {
    const subject =
      k % 20 === 19
        ? `0x${Buffer.from(Uint32Array.from({ length: 8 }, rand32).buffer).toString("hex")}`
        : hex(rand32() % N);
    requests.push({ subject, use: P.DS.bit | P.NCU.bit, categories: C.DRUGS.bit });
  }

  let allowed = 0;
  const rates: number[] = [];
  // The cohort phase leaves ~1 GB of garbage and its marking behind: collect it first, so the
  // figures are checkAccess's own and not the previous phase's GC debt.
  gc();
  for (let r = 0; r < CHECK_RUNS; r++) {
    t0 = performance.now();
    for (let k = 0; k < POOL; k++)
      if (index.checkAccess(requests[k] as AccessRequest).allowed) allowed++;
    rates.push(POOL / ((performance.now() - t0) / 1000));
  }
  const checkAccessPerSec = Math.round(median(rates));
  console.log(
    `checkAccess ${checkAccessPerSec} checks/s (median of ${CHECK_RUNS} × ${POOL}; runs ${rates.map((x) => Math.round(x / 1000)).join(" ")} k/s; allowed ${((allowed / (POOL * CHECK_RUNS)) * 100).toFixed(1)} %)`,
  );

  // Latency: every call timed on its own in a separate run; timer overhead measured alike.
  gc();
  const lat = new Float64Array(LATENCY_CALLS);
  const overhead = new Float64Array(LATENCY_CALLS);
  for (let k = 0; k < LATENCY_CALLS; k++) {
    const req = requests[(k * 7919) % POOL] as AccessRequest;
    const a = process.hrtime.bigint();
    index.checkAccess(req);
    const b = process.hrtime.bigint();
    lat[k] = Number(b - a);
    const c = process.hrtime.bigint();
    overhead[k] = Number(process.hrtime.bigint() - c);
  }
  lat.sort();
  overhead.sort();
  const pct = (xs: Float64Array, p: number) => (xs[Math.floor(xs.length * p)] as number) / 1000;
  const checkAccessP99Us = Math.round(pct(lat, 0.99) * 100) / 100;
  console.log(
    `checkAccess latency µs: p50 ${pct(lat, 0.5).toFixed(2)} p99 ${checkAccessP99Us} p99.9 ${pct(lat, 0.999).toFixed(2)} max ${pct(lat, 1 - 1e-9).toFixed(1)} (timer overhead p50 ${pct(overhead, 0.5).toFixed(2)} p99 ${pct(overhead, 0.99).toFixed(2)})`,
  );
  // Hash choice for the commitment: 4 KiB leaves (one per 128 pseudonyms).
  function throughput(name: string, hash: (d: Uint8Array) => Uint8Array, bytes: number): number {
    const leaf = 4096;
    const t = performance.now();
    for (let o = 0; o + leaf <= bytes; o += leaf) hash(keys.subarray(o, o + leaf));
    const mbps = Math.round(bytes / 1e6 / ((performance.now() - t) / 1000));
    console.log(`${name}: ${mbps} MB/s on 4 KiB leaves`);
    return mbps;
  }
  const hashMBps = {
    nodeCryptoSha256: throughput("node:crypto sha256", sha256, 128 << 20),
    nobleSha256: throughput("@noble sha256", nobleSha256, 16 << 20),
    nobleKeccak256: throughput("@noble keccak-256", keccak_256, 8 << 20),
  };

  return {
    checkAccessPerSec,
    checkAccessP99Us,
    filterCohort10MMs,
    filterCohort10MPeakMiB: peakMiB,
    subjects: N,
    buildSeconds: Math.round(buildMs / 100) / 10,
    indexMiB: mib(stats.bytes),
    bytesPerSubject: Math.round((stats.bytes / N) * 10) / 10,
    checkAccessRunsPerSec: rates.map(Math.round),
    checkAccessP50Us: Math.round(pct(lat, 0.5) * 100) / 100,
    checkAccessP999Us: Math.round(pct(lat, 0.999) * 100) / 100,
    timerOverheadP50Us: Math.round(pct(overhead, 0.5) * 100) / 100,
    filterCohortWorkers: workers,
    filterCohortRunsMs: runs.parallel.ms.map(Math.round),
    filterCohortCpuMs: runs.parallel.cpuMs.map(Math.round),
    filterCohortSingleThreadMs,
    filterCohortSingleThreadRunsMs: runs.singleThread.ms.map(Math.round),
    filterCohortSingleThreadCpuMs: runs.singleThread.cpuMs.map(Math.round),
    filterCohortParallelVsSingleThread:
      Math.round((filterCohortSingleThreadMs / filterCohort10MMs) * 100) / 100,
    filterCohortAllowed: allowedCount,
    cohortScratchMiB: mib(index.stats().cohortScratchBytes),
    cohortLoadAverage,
    rssBeforeCohortMiB: mib(rssBeforeCohort),
    peakBeforeCohortMiB,
    rssAfterCohortRunsMiB: mib(rssPeakSampled),
    hashMBps,
    loadAverage: load(),
    node: process.version,
  };
}

if (import.meta.main) {
  const out = await measureConsentIndex();
  mkdirSync(new URL("results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("results/consent-index.json", import.meta.url),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.log("wrote bench/results/consent-index.json");
}
