/**
 * `npm run sim -- --validators 4|7 --seeds N [--seed S] [--heights H] [--verbose] [--workers W]`:
 * runs the deterministic QBFT simulator (nodes/consensus/sim) for seeds S, S+1, …, S+N−1 (S
 * defaults to 1; `--seed` alone runs that one seed, with its event log under `--verbose`),
 * spread over W worker threads (default: one per CPU). Progress goes to stderr, each failing
 * seed with the command that replays it; the summary goes to stdout. Exit code 1 when any
 * seed broke safety or liveness, 2 on bad arguments.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import {
  defaultSimTimings,
  runQbftSimulation,
  type SimResult,
  SimTally,
  simLivenessBoundMs,
} from "../nodes/consensus/sim/index.ts";

const USAGE =
  "usage: npm run sim -- --validators 4|7 --seeds N [--seed S] [--heights H] [--verbose] [--workers W]";
const DEFAULT_HEIGHTS = 6;
const MAX_SEED = 0xffffffff;

interface Args {
  readonly validators: number;
  readonly first: number;
  readonly seeds: number;
  readonly heights: number;
  readonly verbose: boolean;
  readonly workers: number;
}

/** What a worker runs: every `stride`-th seed from `start` up to `end` (excluded). */
interface Slice {
  readonly validators: number;
  readonly heights: number;
  readonly start: number;
  readonly end: number;
  readonly stride: number;
}

function usage(message: string): never {
  process.stderr.write(`error CLI_USAGE: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(value: string | undefined, flag: string, min: number, max: number) {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    usage(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function read(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        validators: { type: "string" },
        seeds: { type: "string" },
        seed: { type: "string" },
        heights: { type: "string" },
        workers: { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}

function parse(argv: readonly string[]): Args {
  const values = read(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const validators = integer(values.validators, "validators", 1, 64);
  if (validators === undefined) usage("--validators is required");
  const seed = integer(values.seed, "seed", 0, MAX_SEED);
  const seeds =
    integer(values.seeds, "seeds", 1, 10_000_000) ?? (seed === undefined ? undefined : 1);
  if (seeds === undefined) usage("--seeds or --seed is required");
  const first = seed ?? 1;
  if (first + seeds - 1 > MAX_SEED)
    usage(`seeds ${first}..${first + seeds - 1} go past ${MAX_SEED}`);
  const heights = integer(values.heights, "heights", 1, 1_000) ?? DEFAULT_HEIGHTS;
  const workers = integer(values.workers, "workers", 1, 64) ?? availableParallelism();
  return {
    validators,
    first,
    seeds,
    heights,
    verbose: values.verbose,
    workers: Math.min(workers, seeds),
  };
}

function seconds(ms: number, digits = 3): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}

function describe(result: SimResult): string {
  const { faults } = result;
  return [
    `seed ${result.seed}`,
    result.ok ? "ok" : "FAIL",
    `heights ${result.reached}/${result.target}`,
    `${seconds(result.virtualMs, 1)} virtual`,
    `longest wait ${seconds(result.longestWaitMs, 1)}`,
    `max round ${result.maxCommitRound}`,
    `${result.messages} msgs`,
    `trace ${result.traceHash}`,
    `heal ${seconds(faults.healAt, 1)}`,
    `byzantine [${faults.byzantine.join(",")}] wiped [${faults.wiped.join(",")}]`,
    `crashes ${faults.crashes} partitions ${faults.partitions} cuts ${faults.cuts}`,
  ].join("  ");
}

function report(args: Args, result: SimResult): void {
  if (args.verbose) process.stderr.write(`${describe(result)}\n`);
  if (result.ok) return;
  for (const { kind, time, node, height, detail } of result.violations) {
    process.stderr.write(
      `FAIL seed ${result.seed}: ${kind} at ${seconds(time)}, node ${node}, height ${height}: ${detail}\n`,
    );
  }
  process.stderr.write(
    `  replay: npm run sim -- --validators ${args.validators} --seed ${result.seed} --heights ${args.heights} --verbose\n`,
  );
}

function summarise(args: Args, tally: SimTally, wallMs: number): boolean {
  const summary = tally.summary();
  const bound = simLivenessBoundMs(args.validators, defaultSimTimings);
  const failed = [...summary.failedSeeds].sort((a, b) => a - b);
  const lines = [
    `validators            ${args.validators}`,
    `seeds run             ${summary.seeds} (${args.first}..${args.first + args.seeds - 1}), heights ${args.heights}`,
    `safety violations     ${summary.safetyViolations}`,
    `liveness failures     ${summary.livenessFailures} (bound ${seconds(bound, 1)} per block after the heal; longest wait ${seconds(summary.longestWaitMs, 1)})`,
    `virtual time/height   median ${seconds(summary.heightMsMedian)}, p99 ${seconds(summary.heightMsP99)}, max ${seconds(summary.heightMsMax)}`,
    `messages/height       ${summary.messagesPerHeight.toFixed(1)}`,
    `highest commit round  ${summary.maxCommitRound}`,
    `evidence              ${summary.evidence}`,
    `wall time             ${seconds(wallMs, 1)} (${(wallMs / summary.seeds).toFixed(1)} ms/seed, ${args.workers} worker${args.workers === 1 ? "" : "s"})`,
  ];
  if (failed.length > 0) {
    lines.push(
      `failed seeds          ${failed.slice(0, 20).join(" ")}${failed.length > 20 ? " …" : ""}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return failed.length === 0;
}

/** Runs the seeds in this thread (one seed, or one worker). */
function* runSlice(slice: Slice, log?: (line: string) => void): Generator<SimResult> {
  for (let seed = slice.start; seed < slice.end; seed += slice.stride) {
    yield runQbftSimulation({
      validators: slice.validators,
      seed,
      heights: slice.heights,
      ...(log === undefined ? {} : { log }),
    });
  }
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const tally = new SimTally();
  const started = performance.now();
  let lastProgress = started;
  const take = (result: SimResult) => {
    tally.add(result);
    report(args, result);
    const now = performance.now();
    if (!args.verbose && now - lastProgress > 5_000) {
      lastProgress = now;
      const { seeds, safetyViolations, livenessFailures } = tally.summary();
      process.stderr.write(
        `  ${seeds}/${args.seeds} seeds, ${safetyViolations} safety, ${livenessFailures} liveness, ${seconds(now - started, 0)}\n`,
      );
    }
  };
  const end = args.first + args.seeds;
  if (args.workers === 1) {
    const log =
      args.verbose && args.seeds === 1
        ? (line: string) => process.stderr.write(`${line}\n`)
        : undefined;
    const slice = {
      validators: args.validators,
      heights: args.heights,
      start: args.first,
      end,
      stride: 1,
    };
    for (const result of runSlice(slice, log)) take(result);
  } else {
    await Promise.all(
      Array.from({ length: args.workers }, (_, index) => {
        const slice: Slice = {
          validators: args.validators,
          heights: args.heights,
          start: args.first + index,
          end,
          stride: args.workers,
        };
        const worker = new Worker(new URL(import.meta.url), { workerData: slice });
        worker.on("message", take);
        return new Promise<void>((resolve, reject) => {
          worker.on("error", reject);
          worker.on("exit", (code) =>
            code === 0 ? resolve() : reject(new Error(`worker exit ${code}`)),
          );
        });
      }),
    );
  }
  const ok = summarise(args, tally, performance.now() - started);
  process.exit(ok ? 0 : 1);
}

if (isMainThread) {
  await main();
} else {
  for (const result of runSlice(workerData as Slice)) parentPort?.postMessage(result);
}
