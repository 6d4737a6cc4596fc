/**
 * The sustained-grant comparison shared by bench:node and bench:network: a warm-up round,
 * then rounds sized from each chain's previous rate to last about `roundSeconds` on it,
 * interleaved across chains with the order rotated; medians of rounds.
 */
import type { BenchChain } from "./benchChain.ts";
import type { GrantStream } from "./grantStream.ts";
import { type LoadResult, runLoad } from "./runLoad.ts";
import { median, round } from "./stats.ts";

/** A chain in the comparison and the signed grants it draws from. */
export interface GrantRounds {
  readonly chain: BenchChain;
  readonly stream: GrantStream;
  /** Position in the grant stream. */
  cursor: number;
  /** Transactions of the next round. */
  nextSize: number;
  warmup?: LoadResult;
  readonly rounds: LoadResult[];
}

/** Settings of {@link runGrantRounds}. */
export interface GrantRoundOptions {
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly maxRoundTxs: number;
  /** Senders (hospital recorders) of each stream; rounds are multiples of it. */
  readonly hospitals: number;
  readonly warmupTxs: number;
  readonly lanes: number;
  readonly rpcBatch: number;
  readonly pollMs: number;
  readonly say: (line: string) => void;
}

/** One round as the results file shows it. */
export function roundSummary(r: LoadResult) {
  return {
    txs: r.txs,
    seconds: round(r.seconds, 3),
    txPerSec: round(r.txPerSec),
    cpuSeconds: round(r.cpuSeconds, 2),
    txPerCpuSec: round(r.txPerCpuSec),
    sendSeconds: round(r.sendSeconds, 3),
    blocks: r.lastBlock - r.firstBlock + 1,
  };
}

/** A chain's rounds as the results file shows them, with the medians. */
export function grantSummary(entry: GrantRounds) {
  return {
    configuration: entry.chain.configuration,
    txPerSecMedian: round(median(entry.rounds.map((r) => r.txPerSec))),
    txPerCpuSecMedian: round(median(entry.rounds.map((r) => r.txPerCpuSec))),
    warmup: entry.warmup === undefined ? null : roundSummary(entry.warmup),
    rounds: entry.rounds.map(roundSummary),
  };
}

/** The faster mode of a chain kind (names starting with `kind`), by median. */
export function best(
  results: ReadonlyMap<string, ReturnType<typeof grantSummary>>,
  kind: string,
): { mode: string; txPerSec: number } | undefined {
  let winner: { mode: string; txPerSec: number } | undefined;
  for (const [name, summary] of results) {
    if (!name.startsWith(kind)) continue;
    if (winner === undefined || summary.txPerSecMedian > winner.txPerSec) {
      winner = { mode: name, txPerSec: summary.txPerSecMedian };
    }
  }
  return winner;
}

/**
 * Runs the rounds on every entry (round 0 is the warm-up) and returns the summaries by
 * chain name; entries keep their cursors for later phases.
 *
 * @example
 * ```ts
 * const results = await runGrantRounds(entries, { rounds: 3, roundSeconds: 8, ... });
 * ```
 */
export async function runGrantRounds(
  entries: readonly GrantRounds[],
  options: GrantRoundOptions,
): Promise<Map<string, ReturnType<typeof grantSummary>>> {
  const { hospitals, roundSeconds } = options;
  for (let r = 0; r <= options.rounds; r++) {
    // Rotate the order so no chain always runs first (or last) in a round.
    for (let c = 0; c < entries.length; c++) {
      const entry = entries[(c + r) % entries.length] as GrantRounds;
      const txs = entry.stream.take(entry.cursor, entry.nextSize);
      entry.cursor += txs.length;
      const result = await runLoad(entry.chain.rpc, txs, {
        batchSize: options.rpcBatch,
        lanes: options.lanes,
        pollMs: options.pollMs,
        timeoutMs: Math.max(120, 8 * roundSeconds) * 1000,
        sampleEvery: 50,
        cpuSeconds: entry.chain.cpuSeconds,
      });
      if (r === 0) entry.warmup = result;
      else entry.rounds.push(result);
      // Equal time per chain, not equal count: a chain ten times slower would otherwise take
      // ten times the budget, or a fast one would finish within a block or two.
      // Rounds stay multiples of the senders, so the cap is the largest multiple under it.
      const perRound = Math.floor((result.txPerSec * roundSeconds) / hospitals);
      const cap = Math.floor(options.maxRoundTxs / hospitals) * hospitals;
      entry.nextSize = Math.min(cap, Math.max(options.warmupTxs, perRound * hospitals));
      options.say(
        `${r === 0 ? "warm-up" : `round ${r}`} ${entry.chain.name}: ${result.txs} grants in ` +
          `${round(result.seconds, 2)} s = ${round(result.txPerSec)} tx/s, ` +
          `${round(result.txPerCpuSec)} per CPU-s (sent in ` +
          `${round(result.sendSeconds, 2)} s, blocks ${result.firstBlock}..${result.lastBlock})`,
      );
    }
  }
  return new Map(entries.map((e) => [e.chain.name, grantSummary(e)]));
}

/** Which mode of each comparison chain a run's headline figures are, and the rule. */
export function comparedModes(
  edr: { readonly mode: string } | undefined,
  ganache: { readonly mode: string } | undefined,
) {
  return {
    edr: edr?.mode ?? null,
    ganache: ganache?.mode ?? null,
    rule: "edrTxPerSec and ganacheTxPerSec are each chain's faster mode (by median)",
  };
}
