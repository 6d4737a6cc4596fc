/**
 * Settings of bench:scale, read once from the environment. A resumed run must be started with
 * the settings of the run it continues: the work directory's progress file records them and
 * the phases refuse a mismatch instead of mixing two workloads in one figure.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { envNumber } from "../node/benchSettings.ts";

/** The phases, in the order a run takes them. */
export const scalePhases = ["load", "network", "grants", "import", "bulkImport"] as const;

/** One phase of the benchmark. */
export type ScalePhase = (typeof scalePhases)[number];

/** The stored counts issue 16 asks the load rate at. */
export const issueCurvePoints: readonly number[] = [
  0, 1_000_000, 2_500_000, 5_000_000, 7_500_000, 10_000_000,
];

/** The issue's load size: figures named after it exist only for runs of exactly this size. */
export const TEN_MILLION = 10_000_000;

/** The issue's network load size (`load1MConsentsPerSec4`). */
export const ONE_MILLION = 1_000_000;

/** Everything bench:scale takes from the environment. */
export interface ScaleSettings {
  /** Work directory: the solo node's and the network's data, the progress file. */
  readonly workDir: string;
  /** Consents the solo node is loaded with (BENCH_SCALE_TARGET). */
  readonly target: number;
  /** Consents of each load-curve window (BENCH_SCALE_WINDOW). */
  readonly window: number;
  /** Stored counts the load rate is measured at, ascending, none above `target`. */
  readonly points: readonly number[];
  readonly phases: readonly ScalePhase[];
  /** Consents loaded through the 4-validator network (BENCH_SCALE_NETWORK_CONSENTS). */
  readonly networkConsents: number;
  /** Rows `custos consent import` sends to the loaded solo node (BENCH_SCALE_IMPORT_ROWS). */
  readonly importRows: number;
  /**
   * Rows `custos consent import` loads into a chain of their own, from empty, across a kill -9
   * (BENCH_SCALE_BULK_IMPORT_ROWS, default 10 M).
   */
  readonly bulkImportRows: number;
  /** Seconds between printed (and recorded) load segments. */
  readonly segmentSeconds: number;
  /** Blocks' worth of transactions (at the block gas limit) kept in flight. */
  readonly blocksInFlight: number;
  /** Hospitals of the solo dev chain (their recorders send the load). */
  readonly hospitals: number;
  /** Grant rounds against EDR: bench:node's round settings. */
  readonly grant: {
    readonly rounds: number;
    readonly roundSeconds: number;
    readonly maxRoundTxs: number;
  };
  /** Seconds without a committed consent after which a load is given up. */
  readonly stallSeconds: number;
  readonly nodeLogLevel: string;
  /** Where the results go (BENCH_SCALE_RESULTS, default bench/results/scale.json). */
  readonly resultsFile: string;
}

function countList(name: string, text: string): number[] {
  return text.split(",").map((part) => {
    const value = Number(part.trim());
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${name}: "${part}" is not a non-negative integer`);
    }
    return value;
  });
}

function phaseList(text: string): ScalePhase[] {
  return text.split(",").map((part) => {
    const name = part.trim();
    if (!(scalePhases as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SCALE_PHASES: unknown phase "${name}" (${scalePhases.join(", ")})`);
    }
    return name as ScalePhase;
  });
}

function wholeNumber(name: string, fallback: number): number {
  const value = envNumber(name, fallback);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be a whole number`);
  return value;
}

/**
 * Reads the settings from `process.env` (see the module comment of bench/scale.ts for the
 * variables and their defaults). Curve points above the target are dropped: a smaller run
 * reports only the points it reached.
 *
 * @throws Error on a malformed variable.
 * @example
 * ```ts
 * const settings = readScaleSettings();
 * settings.points; // [0, 1000000, 2500000, 5000000, 7500000, 10000000]
 * ```
 */
export function readScaleSettings(): ScaleSettings {
  const env = process.env;
  const target = wholeNumber("BENCH_SCALE_TARGET", TEN_MILLION);
  const points = countList(
    "BENCH_SCALE_POINTS",
    env.BENCH_SCALE_POINTS ?? issueCurvePoints.join(","),
  )
    .filter((point) => point <= target)
    .sort((a, b) => a - b);
  return {
    workDir: resolve(
      env.BENCH_SCALE_DIR ?? fileURLToPath(new URL("../.scale-work/", import.meta.url)),
    ),
    target,
    window: wholeNumber("BENCH_SCALE_WINDOW", 100_000),
    points: [...new Set(points)],
    phases: phaseList(env.BENCH_SCALE_PHASES ?? scalePhases.join(",")),
    networkConsents: wholeNumber("BENCH_SCALE_NETWORK_CONSENTS", ONE_MILLION),
    importRows: wholeNumber("BENCH_SCALE_IMPORT_ROWS", ONE_MILLION),
    bulkImportRows: wholeNumber("BENCH_SCALE_BULK_IMPORT_ROWS", TEN_MILLION),
    segmentSeconds: envNumber("BENCH_SCALE_SEGMENT_SECONDS", 30),
    blocksInFlight: envNumber("BENCH_SCALE_BLOCKS_IN_FLIGHT", 2),
    hospitals: wholeNumber("BENCH_HOSPITALS", 16),
    grant: {
      rounds: wholeNumber("BENCH_ROUNDS", 3),
      roundSeconds: envNumber("BENCH_ROUND_SECONDS", 8),
      maxRoundTxs: wholeNumber("BENCH_MAX_ROUND_TXS", 15_000),
    },
    stallSeconds: envNumber("BENCH_SCALE_STALL_SECONDS", 180),
    nodeLogLevel: env.BENCH_NODE_LOG_LEVEL ?? "info",
    resultsFile: resolve(
      env.BENCH_SCALE_RESULTS ?? fileURLToPath(new URL("../results/scale.json", import.meta.url)),
    ),
  };
}
