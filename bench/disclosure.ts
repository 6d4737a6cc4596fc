import { mkdir, writeFile } from "node:fs/promises";
import {
  auditSuppression,
  checkDifferencing,
  createCryptoRandomSource,
  createInMemoryDifferencingStore,
  rational,
  releaseTable,
  resolveDisclosurePolicy,
  suppressComplementary,
  suppressPrimary,
} from "../src/disclosure/index.ts";
// The samplers are internal to releaseTable; the benchmark times them directly.
import { sampleDiscreteGaussian } from "../src/disclosure/sampleDiscreteGaussian.ts";
import { sampleDiscreteLaplace } from "../src/disclosure/sampleDiscreteLaplace.ts";
import { disclosure10kTable, measureDisclosureRelease, median } from "./disclosureTable.ts";

async function timeRuns(runs: number, warmup: number, f: () => unknown): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const table = disclosure10kTable();
const policy = resolveDisclosurePolicy();
let zero = 0;
let small = 0;
for (let i = 0; i < 100; i++) {
  for (let j = 0; j < 100; j++) {
    const v = table.values[i * 101 + j] ?? 0;
    if (v === 0) zero++;
    else if (v < policy.minCellSize) small++;
  }
}

const runs = 21;
const outcome = await releaseTable(table, {}, {});
if (outcome.status !== "released") throw new Error("unexpected refusal");
const report = outcome.report;
const release = await measureDisclosureRelease(table, runs, 3);
const primary = suppressPrimary(table, policy);
const complementaryMs = await timeRuns(runs, 3, () =>
  suppressComplementary(table, primary, policy),
);
const { status, hypercubes } = suppressComplementary(table, primary, policy);
const certificateAuditMs = await timeRuns(runs, 3, () =>
  auditSuppression(table, status, { ...policy, hypercubes }),
);
const exact = auditSuppression(table, status, policy);
const exactNetworkFlowAuditMs = await timeRuns(runs, 3, () =>
  auditSuppression(table, status, policy),
);

const random = createCryptoRandomSource();
function throughput(f: () => bigint, n: number): number {
  for (let i = 0; i < 2000; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return Math.round(n / ((performance.now() - t0) / 1000));
}
const laplaceEps1 = rational(1n, 1n);
const laplaceEps01 = rational(10n, 1n);
const gaussian10 = rational(10n, 1n);
const gaussian1e4 = rational(10_000n, 1n);
const dp = {
  discreteLaplaceEps1PerSec: throughput(() => sampleDiscreteLaplace(random, laplaceEps1), 200_000),
  discreteLaplaceEps01PerSec: throughput(
    () => sampleDiscreteLaplace(random, laplaceEps01),
    200_000,
  ),
  discreteGaussianSigma2_10PerSec: throughput(
    () => sampleDiscreteGaussian(random, gaussian10),
    200_000,
  ),
  discreteGaussianSigma2_1e4PerSec: throughput(
    () => sampleDiscreteGaussian(random, gaussian1e4),
    200_000,
  ),
};

const cohort = new Uint32Array(1_000_000);
for (let i = 0; i < cohort.length; i++) cohort[i] = 2 * i;
const differencing = createInMemoryDifferencingStore();
const earlier = cohort.slice();
earlier[123_456] = 2 * 123_456 + 1;
await differencing.record("r", earlier);
const differencing1MMs = await timeRuns(runs, 2, () =>
  checkDifferencing(differencing, "r", cohort, policy.minCohortDifference),
);

const results = {
  disclosure10kCellsMs: Number(release.medianMs.toFixed(2)),
  goalMs: 50,
  disclosure10kCellsFastestMs: Number(release.fastestMs.toFixed(2)),
  table: {
    rows: 100,
    columns: 100,
    subjects: 300_000,
    zeroCells: zero,
    smallCells: small,
    primarySuppressed: report.suppression?.primary.length ?? 0,
    secondarySuppressed: report.suppression?.secondary.length ?? 0,
    hypercubes: hypercubes.length,
  },
  stagesMs: {
    complementarySuppression: Number(complementaryMs.toFixed(2)),
    certificateAudit: Number(certificateAuditMs.toFixed(2)),
    exactNetworkFlowAudit: Number(exactNetworkFlowAuditMs.toFixed(2)),
  },
  exactAuditPassed: exact.passed,
  ...dp,
  differencingCheck1MSubjectsMs: Number(differencing1MMs.toFixed(2)),
  runs,
  node: process.version,
};
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(
  new URL("./results/disclosure.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(JSON.stringify(results, null, 2));
