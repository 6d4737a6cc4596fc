/**
 * Consent index benchmark: builds an index of 10 M synthetic subjects (mixed states), then
 * measures checkAccess throughput and per-call latency, and filterCohort over all 10 M
 * subjects (time and process peak RSS). Writes bench/results/consent-index.json.
 *
 * Run: npm run bench:consent-index   (env SUBJECTS=n to change the size). `npm run
 * bench:consent` imports {@link measureConsentIndex} and runs it in its own process.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  type AccessRequest,
  type ConsentChange,
  createConsentIndex,
  dataCategories,
  purposeCodes,
  sha256,
} from "../src/consent/index.ts";

/** Figures of one consent index benchmark run (see the module comment). */
export type ConsentIndexBenchResult = ReturnType<typeof measureConsentIndex>;

/**
 * Builds an index of `N` synthetic subjects and measures checkAccess throughput and latency
 * and filterCohort time and peak RSS. Logs progress; writes nothing.
 */
export function measureConsentIndex(N = Number(process.env.SUBJECTS ?? 10_000_000)) {
  const POOL = Math.min(1 << 20, N);
  const CHECK_RUNS = 7;
  const LATENCY_CALLS = 200_000;
  const COHORT_RUNS = 3;
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

  const keys = new Uint8Array(N * 32);
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

  const index = createConsentIndex({
    now: () => NOW,
    expectedSubjects: N,
    maxStalenessSeconds: 60,
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

  // Cohort: all N subjects, in generation order.
  const rssBeforeCohort = process.memoryUsage.rss();
  let rssPeakSampled = rssBeforeCohort;
  const cohortMs: number[] = [];
  let result = index.filterCohort(keys, { use: P.DS.bit | P.NCU.bit, categories: C.DRUGS.bit });
  const cohortCpuMs: number[] = [];
  for (let r = 0; r < COHORT_RUNS; r++) {
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    result = index.filterCohort(keys, { use: P.DS.bit | P.NCU.bit, categories: C.DRUGS.bit });
    const cpu = process.cpuUsage(cpu0);
    cohortMs.push(performance.now() - t0);
    cohortCpuMs.push((cpu.user + cpu.system) / 1000);
    rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage.rss());
  }
  const filterCohort10MMs = Math.round(median(cohortMs));
  // Lifetime peak so far: the build and the cohort runs (whichever is higher).
  const peakMiB = mib(process.resourceUsage().maxRSS * 1024);
  console.log(
    `filterCohort ${N}: median ${filterCohort10MMs} ms (runs ${cohortMs.map(Math.round).join(" ")}; CPU ${cohortCpuMs.map(Math.round).join(" ")}), allowed ${result.allowedCount}, ` +
      `denied ${JSON.stringify(result.deniedByReason)}, peak RSS ${peakMiB} MiB (RSS before ${mib(rssBeforeCohort)} MiB)`,
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
    filterCohortRunsMs: cohortMs.map(Math.round),
    filterCohortCpuMs: Math.round(median(cohortCpuMs)),
    filterCohortAllowed: result.allowedCount,
    rssBeforeCohortMiB: mib(rssBeforeCohort),
    rssAfterCohortRunsMiB: mib(rssPeakSampled),
    hashMBps,
    loadAverage: load(),
    node: process.version,
  };
}

if (import.meta.main) {
  const out = measureConsentIndex();
  mkdirSync(new URL("results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("results/consent-index.json", import.meta.url),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.log("wrote bench/results/consent-index.json");
}
