/**
 * Consent benchmarks (`npm run bench:consent`): medians of repeated runs, printed and written
 * to bench/results/consent.json. Each figure is one entry of `benchmarks`; later figures
 * (consent index: checkAccessPerSec, cohort filtering) are added as further entries.
 */
import { writeFile } from "node:fs/promises";
import { createMasterKey, createPseudonymiser, deriveProjectKey } from "../src/pseudonym/index.ts";

interface Benchmark {
  /** Result key in consent.json. */
  readonly name: string;
  /** What one operation is. */
  readonly unit: string;
  /** Builds the inputs once, outside the timing. */
  readonly setup: () => () => number;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const IDENTIFIERS = 1_000_000;

const benchmarks: readonly Benchmark[] = [
  {
    name: "pseudonymsPerSec",
    unit: "OMOP person_id identifiers pseudonymised per second (pseudonymiseMany, 1 M per run)",
    setup: () => {
      // A fixed, non-secret benchmark key: the figure does not depend on the key's value.
      const key = deriveProjectKey(createMasterKey(new Uint8Array(32).fill(0x42)), {
        projectId: "bench",
      });
      const pseudonymiser = createPseudonymiser({ key, kind: "person_id" });
      const ids = Array.from({ length: IDENTIFIERS }, (_, i) => String(1_000_000 + i * 7));
      return () => {
        const start = performance.now();
        pseudonymiser.pseudonymiseMany(ids);
        return IDENTIFIERS / ((performance.now() - start) / 1000);
      };
    },
  },
];

const results: Record<string, { median: number; runs: number[]; unit: string }> = {};
for (const bench of benchmarks) {
  const run = bench.setup();
  run(); // warm-up: JIT and caches
  const runs = Array.from({ length: RUNS }, () => Math.round(run()));
  results[bench.name] = { median: Math.round(median(runs)), runs, unit: bench.unit };
  console.log(
    `${bench.name}: median ${Math.round(median(runs)).toLocaleString("en")} (${runs.join(", ")})`,
  );
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  runs: RUNS,
  ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.median])),
  details: results,
};
await writeFile(
  new URL("./results/consent.json", import.meta.url),
  `${JSON.stringify(report, null, 2)}\n`,
);
console.log("wrote bench/results/consent.json");
