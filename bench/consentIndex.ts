/**
 * Consent index benchmark: builds an index of 10 M synthetic subjects (mixed states), then
 * measures filterCohort over all 10 M subjects — the parallel path (`filterCohortAsync` on a
 * worker-thread executor) and the single-thread path (`filterCohort`), alternating in the
 * same run — with process peak RSS, then checkAccess throughput and per-call latency, the
 * latency alternating with a 1 M-subject index (same code, same process) so that the cost of
 * the table's size shows apart from the host's. Writes bench/results/consent-index.json.
 *
 * Run: npm run bench:consent-index   (env SUBJECTS=n to change the size, COHORT_WORKERS=n
 * the worker count, default 2, SMALL_SUBJECTS=n the comparison index, default 1 M;
 * BASELINE_REF=<git ref> also builds the consent index of that commit, exported with
 * `git archive`, over the same subjects and alternates its parallel filter with this one's).
 * `npm run bench:consent` imports {@link measureConsentIndex} and runs it in its own process.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { dataCategories, purposeCodes } from "../src/consent/index.ts";
import * as consentIndexModule from "../src/consentIndex/index.ts";
import {
  type AccessRequest,
  type CohortResult,
  type ConsentChange,
  type ConsentIndex,
  createWorkerCohortExecutor,
  sha256,
} from "../src/consentIndex/index.ts";

type ConsentIndexModule = typeof consentIndexModule;

/**
 * The consent index of commit `ref`, from its sources exported into a temporary directory
 * (with this checkout's node_modules), so that both implementations run in one process on
 * the same subjects and the same load. `remove` deletes the directory.
 */
async function importBaseline(
  ref: string,
): Promise<{ module: ConsentIndexModule; commit: string; remove: () => void }> {
  const repo = new URL("../", import.meta.url).pathname;
  const commit = execFileSync("git", ["-C", repo, "rev-parse", ref], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "custos-baseline-"));
  const archive = execFileSync("git", ["-C", repo, "archive", commit, "src", "package.json"], {
    maxBuffer: 1 << 30,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  const module = (await import(join(dir, "src/consentIndex/index.ts"))) as ConsentIndexModule;
  return { module, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Figures of one consent index benchmark run (see the module comment). */
export type ConsentIndexBenchResult = Awaited<ReturnType<typeof measureConsentIndex>>;

/**
 * Builds an index of `N` synthetic subjects and measures filterCohort (parallel and single
 * thread) time, CPU and peak RSS, and checkAccess throughput and latency (against a smaller
 * index in the same run); with `BASELINE_REF`, also the parallel filter of that commit's
 * index, alternating with this one's. Logs progress; writes nothing.
 */
export async function measureConsentIndex(
  N = Number(process.env.SUBJECTS ?? 10_000_000),
  workers = Number(process.env.COHORT_WORKERS ?? 2),
) {
  const POOL = Math.min(1 << 20, N);
  const SMALL = Math.min(N, Number(process.env.SMALL_SUBJECTS ?? 1_000_000));
  const CHECK_RUNS = 7;
  const LATENCY_CALLS = 200_000;
  /** Latency calls per turn when the large and the small index alternate. */
  const LATENCY_TURN = 10_000;
  const COHORT_RUNS = Number(process.env.COHORT_RUNS ?? 5);
  const BASELINE_REF = process.env.BASELINE_REF;
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

  /** An index of the first `n` subjects, each granted, a tenth of them changed once more. */
  function buildIndex(
    module: ConsentIndexModule,
    n: number,
    cohortExecutor: ReturnType<ConsentIndexModule["createWorkerCohortExecutor"]> | undefined,
  ): ConsentIndex {
    const built = module.createConsentIndex({
      now: () => NOW,
      expectedSubjects: n,
      maxStalenessSeconds: 60,
      ...(cohortExecutor === undefined ? {} : { cohortExecutor }),
    });
    for (let i = 0; i < n; i++) built.apply(changeFor(i, 1));
    // A tenth of the subjects get a second version (an update or a revocation).
    for (let i = 0; i + 2 < n; i += 10) built.apply(changeFor(i + (i % 3), 2));
    built.markSynced(Math.floor(n / 1000) + 1, NOW);
    return built;
  }

  const cohortExecutor = createWorkerCohortExecutor({ workers });
  let t0 = performance.now();
  const index = buildIndex(consentIndexModule, N, cohortExecutor);
  const buildMs = performance.now() - t0;
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
  type Runs = { ms: number[]; cpuMs: number[] };
  const runs: Record<"parallel" | "singleThread", Runs> = {
    parallel: { ms: [], cpuMs: [] },
    singleThread: { ms: [], cpuMs: [] },
  };
  const gc = () => (globalThis as { gc?: () => void }).gc?.();
  const sameResult = (a: CohortResult, b: CohortResult) =>
    a.snapshot.root === b.snapshot.root &&
    a.allowedCount === b.allowedCount &&
    a.allowedIndices.every((v, i) => v === b.allowedIndices[i]);
  /** One timed filter: wall and CPU time (all threads) into `into`. */
  async function timed(
    filter: () => Promise<CohortResult> | CohortResult,
    into: Runs,
  ): Promise<CohortResult> {
    // Untimed: the previous run's 28 MB result is garbage by now; without a collection the
    // peak RSS would count it as well (a long-running node collects it in time anyway).
    gc();
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await filter();
    const cpu = process.cpuUsage(cpu0);
    into.ms.push(performance.now() - start);
    into.cpuMs.push((cpu.user + cpu.system) / 1000);
    rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage.rss());
    return result;
  }
  const parallelFilter = () => index.filterCohortAsync(keys, cohortRequest);
  const singleFilter = () => index.filterCohort(keys, cohortRequest);
  // Warm-up of both paths (JIT, worker start, scratch allocation); results must agree.
  if (!sameResult(await parallelFilter(), singleFilter())) {
    throw new Error("parallel and single-thread cohort results differ");
  }
  let last: CohortResult | undefined;
  for (let r = 0; r < COHORT_RUNS; r++) {
    await timed(parallelFilter, runs.parallel);
    last = await timed(singleFilter, runs.singleThread);
  }
  // Read before the baseline's runs, whose index doubles the process's memory.
  const rssAfterCohortRuns = rssPeakSampled;
  const allowedCount = last?.allowedCount ?? 0;
  const deniedByReason = last?.deniedByReason ?? {};
  const cohortLoadAverage = load();
  const filterCohort10MMs = Math.round(median(runs.parallel.ms));
  const filterCohortSingleThreadMs = Math.round(median(runs.singleThread.ms));
  // Lifetime peak so far: the build and the cohort runs (whichever is higher).
  const peakMiB = mib(process.resourceUsage().maxRSS * 1024);
  const summary = (name: string, r: Runs) =>
    console.log(
      `filterCohort ${N} ${name}: median ${Math.round(median(r.ms))} ms (runs ${r.ms.map(Math.round).join(" ")}; CPU ${r.cpuMs.map(Math.round).join(" ")})`,
    );
  summary("parallel", runs.parallel);
  summary("singleThread", runs.singleThread);
  console.log(
    `allowed ${allowedCount}, denied ${JSON.stringify(deniedByReason)}, peak RSS ${peakMiB} MiB (before the cohort phase: RSS ${mib(rssBeforeCohort)} MiB, peak ${peakBeforeCohortMiB} MiB), load ${load().join(" ")}`,
  );

  // The baseline's index is built after the peak above is read: it doubles the memory.
  let baseline:
    | {
        ref: string;
        commit: string;
        parallelMs: number;
        parallelRunsMs: number[];
        parallelCpuMs: number[];
        currentParallelMs: number;
        currentParallelRunsMs: number[];
        currentParallelCpuMs: number[];
        loadAverage: number[];
      }
    | undefined;
  if (BASELINE_REF !== undefined) {
    const { module, commit, remove } = await importBaseline(BASELINE_REF);
    const baselineExecutor = module.createWorkerCohortExecutor({ workers });
    const baselineIndex = buildIndex(module, N, baselineExecutor);
    const baselineFilter = () => baselineIndex.filterCohortAsync(keys, cohortRequest);
    if (!sameResult(await baselineFilter(), await parallelFilter())) {
      throw new Error(`the cohort results of ${BASELINE_REF} and this checkout differ`);
    }
    const theirs: Runs = { ms: [], cpuMs: [] };
    const ours: Runs = { ms: [], cpuMs: [] };
    for (let r = 0; r < COHORT_RUNS; r++) {
      // Alternating which goes first, so that neither always follows the other's garbage.
      if (r % 2 === 0) {
        await timed(baselineFilter, theirs);
        await timed(parallelFilter, ours);
      } else {
        await timed(parallelFilter, ours);
        await timed(baselineFilter, theirs);
      }
    }
    await baselineExecutor.close();
    remove();
    summary(`parallel, baseline ${BASELINE_REF} (${commit.slice(0, 7)})`, theirs);
    summary("parallel, this checkout, same turns", ours);
    baseline = {
      ref: BASELINE_REF,
      commit,
      parallelMs: Math.round(median(theirs.ms)),
      parallelRunsMs: theirs.ms.map(Math.round),
      parallelCpuMs: theirs.cpuMs.map(Math.round),
      currentParallelMs: Math.round(median(ours.ms)),
      currentParallelRunsMs: ours.ms.map(Math.round),
      currentParallelCpuMs: ours.cpuMs.map(Math.round),
      loadAverage: load(),
    };
  }
  await cohortExecutor.close();

  /** 1 M random requests over the first `n` subjects (5 % unknown), hex strings as a caller would pass them. */
  function requestPool(n: number): AccessRequest[] {
    const hex = (i: number) => `0x${Buffer.from(keys.buffer, i * 32, 32).toString("hex")}`;
    const pool: AccessRequest[] = [];
    for (let k = 0; k < POOL; k++) {
      const subject =
        k % 20 === 19
          ? `0x${Buffer.from(Uint32Array.from({ length: 8 }, rand32).buffer).toString("hex")}`
          : hex(rand32() % n);
      pool.push({ subject, use: P.DS.bit | P.NCU.bit, categories: C.DRUGS.bit });
    }
    return pool;
  }
  const requests = requestPool(N);

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

  // Latency: every call timed on its own, the large index and a small one (same code, same
  // request order, same process) taking turns of LATENCY_TURN calls, so that both see the same
  // host; the page faults and involuntary context switches of the timed passes are counted.
  const smallIndex = buildIndex(consentIndexModule, SMALL, undefined);
  const smallRequests = requestPool(SMALL);
  for (let k = 0; k < POOL; k++) smallIndex.checkAccess(smallRequests[k] as AccessRequest);
  gc();
  const lat = new Float64Array(LATENCY_CALLS);
  const smallLat = new Float64Array(LATENCY_CALLS);
  const overhead = new Float64Array(LATENCY_CALLS);
  const usage0 = process.resourceUsage();
  for (let from = 0; from < LATENCY_CALLS; from += LATENCY_TURN) {
    for (const [target, pool, into] of [
      [index, requests, lat],
      [smallIndex, smallRequests, smallLat],
    ] as const) {
      for (let k = from; k < from + LATENCY_TURN; k++) {
        const req = pool[(k * 7919) % POOL] as AccessRequest;
        const a = process.hrtime.bigint();
        target.checkAccess(req);
        const b = process.hrtime.bigint();
        into[k] = Number(b - a);
      }
    }
  }
  const usage1 = process.resourceUsage();
  for (let k = 0; k < LATENCY_CALLS; k++) {
    const c = process.hrtime.bigint();
    overhead[k] = Number(process.hrtime.bigint() - c);
  }
  lat.sort();
  smallLat.sort();
  overhead.sort();
  const pct = (xs: Float64Array, p: number) => (xs[Math.floor(xs.length * p)] as number) / 1000;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const checkAccessP99Us = round2(pct(lat, 0.99));
  const latencyFaults = usage1.minorPageFault - usage0.minorPageFault;
  const latencyPreemptions = usage1.involuntaryContextSwitches - usage0.involuntaryContextSwitches;
  console.log(
    `checkAccess latency µs, ${N} subjects: p50 ${pct(lat, 0.5).toFixed(2)} p99 ${checkAccessP99Us} p99.9 ${pct(lat, 0.999).toFixed(2)} max ${pct(lat, 1 - 1e-9).toFixed(1)}; ` +
      `${SMALL} subjects, same turns: p50 ${pct(smallLat, 0.5).toFixed(2)} p99 ${pct(smallLat, 0.99).toFixed(2)} p99.9 ${pct(smallLat, 0.999).toFixed(2)} ` +
      `(timer overhead p50 ${pct(overhead, 0.5).toFixed(2)} p99 ${pct(overhead, 0.99).toFixed(2)}; ${latencyFaults} minor page faults, ${latencyPreemptions} preemptions during the ${2 * LATENCY_CALLS} timed calls; load ${load().join(" ")})`,
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
    checkAccessP50Us: round2(pct(lat, 0.5)),
    checkAccessP999Us: round2(pct(lat, 0.999)),
    checkAccessSmallIndex: {
      subjects: SMALL,
      p50Us: round2(pct(smallLat, 0.5)),
      p99Us: round2(pct(smallLat, 0.99)),
      p999Us: round2(pct(smallLat, 0.999)),
    },
    checkAccessLatencyMinorFaults: latencyFaults,
    checkAccessLatencyPreemptions: latencyPreemptions,
    timerOverheadP50Us: round2(pct(overhead, 0.5)),
    filterCohortWorkers: workers,
    filterCohortRunsMs: runs.parallel.ms.map(Math.round),
    filterCohortCpuMs: runs.parallel.cpuMs.map(Math.round),
    filterCohortSingleThreadMs,
    filterCohortSingleThreadRunsMs: runs.singleThread.ms.map(Math.round),
    filterCohortSingleThreadCpuMs: runs.singleThread.cpuMs.map(Math.round),
    filterCohortParallelVsSingleThread:
      Math.round((filterCohortSingleThreadMs / filterCohort10MMs) * 100) / 100,
    filterCohortBaseline: baseline ?? null,
    filterCohortAllowed: allowedCount,
    cohortScratchMiB: mib(index.stats().cohortScratchBytes),
    cohortLoadAverage,
    rssBeforeCohortMiB: mib(rssBeforeCohort),
    peakBeforeCohortMiB,
    rssAfterCohortRunsMiB: mib(rssAfterCohortRuns),
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
