/**
 * Settings and helpers bench:node and bench:network share, so both compare chains under the
 * same limits.
 */
import { cpus, loadavg, release, totalmem } from "node:os";
import { round } from "./stats.ts";

/** A positive number from the environment variable `name`, or `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** The block gas limit every chain gets (a Custos proposer sizes its blocks to its speed). */
export const BLOCK_GAS_LIMIT = 1_000_000_000;
export const RPC_TIMEOUT_MS = 120_000;
export const START_TIMEOUT_MS = 90_000;
/** Receipt and head polling period. */
export const POLL_MS = 10;
/** `BENCH_ECHO=1` copies the chains' output to stderr. */
export const ECHO = process.env.BENCH_ECHO === "1";

/** A line printer prefixed with the seconds since `started` (a `performance.now()`). */
export function createSay(started: number): (line: string) => void {
  return (line) => console.log(`[${round((performance.now() - started) / 1000)} s] ${line}`);
}

/** The machine a run measured, with its load average at the start and now. */
export function machineFacts(loadavgAtStart: readonly number[]) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "",
    totalMemoryGiB: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    node: process.version,
    loadavgAtStart: loadavgAtStart.map((l) => round(l, 2)),
    loadavgAtEnd: loadavg().map((l) => round(l, 2)),
  };
}

/**
 * Pool and RPC limits of every Custos node under test: raised so the load generator, not a
 * default cap (64 pending per sender), decides how much is in flight.
 */
export const BENCH_NODE_LIMITS = {
  txpool: {
    maxCount: 100_000,
    maxPerSender: 10_000,
    maxQueued: 100_000,
    maxBytes: 256 * 1024 * 1024,
  },
  rpc: { maxBatch: 1_000, maxBodyBytes: 32 * 1024 * 1024 },
} as const;
