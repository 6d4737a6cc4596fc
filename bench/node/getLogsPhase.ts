/**
 * eth_getLogs latency on the Custos node over the ConsentGranted events the run produced:
 * by subject pseudonym (indexed topic 1) over the whole chain, which finds one event among
 * all, and by custodian (indexed topic 2) over a bounded block range holding at least one
 * of that custodian's batches, which finds hundreds. Queries are sequential over HTTP,
 * timed at the client.
 */
import { bytesToHex } from "@ethereumjs/util";
import { seededRandomBytes } from "../../scripts/chainFixtures.ts";
import type { JsonRpc } from "./jsonRpc.ts";
import { percentile, round } from "./stats.ts";
import { consentGrantedTopic, pseudonym } from "./workload.ts";

/** Options of {@link runGetLogsPhase}. */
export interface GetLogsPhaseOptions {
  readonly rpc: JsonRpc;
  readonly registry: string;
  /** Subjects `pseudonym(subjectSeries, 0..subjects-1)` each have exactly one ConsentGranted. */
  readonly subjectSeries: string;
  readonly subjects: number;
  readonly queries: number;
  /** Blocks each custodian query spans, starting at a block holding one of its batches. */
  readonly custodianBlocks: number;
}

/** Latency summary of one query kind. */
export interface LatencySummary {
  readonly queries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** What the phase measured. */
export interface GetLogsPhaseResult {
  readonly bySubject: LatencySummary & { readonly fromBlock: string; readonly toBlock: string };
  readonly byCustodian: LatencySummary & {
    readonly blocksPerQuery: number;
    readonly logsPerQueryMedian: number;
    readonly logsPerQueryMin: number;
  };
}

const WARMUP = 5;

/** Uniform numbers in [0, 1) from a seeded byte stream, so every run asks the same questions. */
function seededRandom(seed: string): () => number {
  const bytes = seededRandomBytes(seed);
  return () => new DataView(bytes(4).buffer).getUint32(0) / 2 ** 32;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The fields of an RPC log this phase reads. */
interface RpcLog {
  readonly blockNumber: string;
  readonly topics: readonly string[];
}

async function timed(rpc: JsonRpc, filter: object): Promise<{ ms: number; logs: RpcLog[] }> {
  const t0 = performance.now();
  const logs = await rpc.call<RpcLog[]>("eth_getLogs", [filter]);
  return { ms: performance.now() - t0, logs };
}

function summary(ms: readonly number[]): LatencySummary {
  return {
    queries: ms.length,
    p50Ms: round(percentile(ms, 0.5), 2),
    p99Ms: round(percentile(ms, 0.99), 2),
    maxMs: round(Math.max(...ms), 2),
  };
}

/**
 * Runs `queries` subject queries (each must return exactly one log), then `queries`
 * custodian queries: each takes the custodian and block of one subject query's log and asks
 * for that custodian's events over `custodianBlocks` blocks from there, so every query finds
 * at least that whole batch whatever order the producer packed the hospitals' batches in.
 * A few untimed warm-up queries of each kind come first.
 *
 * @throws Error if a subject query does not return exactly one log or a custodian query
 *   misses the log it started from.
 * @example
 * ```ts
 * const logs = await runGetLogsPhase({ rpc, registry, subjectSeries, subjects, queries: 200, custodianBlocks: 3 });
 * ```
 */
export async function runGetLogsPhase(options: GetLogsPhaseOptions): Promise<GetLogsPhaseResult> {
  const random = seededRandom("bench-node-getLogs");
  const bySubject: number[] = [];
  const found: RpcLog[] = [];
  for (let q = 0; q < WARMUP + options.queries; q++) {
    const subject = bytesToHex(
      pseudonym(options.subjectSeries, Math.floor(random() * options.subjects)),
    );
    const { ms, logs } = await timed(options.rpc, {
      address: options.registry,
      fromBlock: "0x0",
      toBlock: "latest",
      topics: [consentGrantedTopic, subject],
    });
    const [log] = logs;
    if (logs.length !== 1 || log === undefined) {
      throw new Error(`eth_getLogs by subject: ${logs.length} logs, not 1`);
    }
    found.push(log);
    if (q >= WARMUP) bySubject.push(ms);
  }
  const byCustodian: number[] = [];
  const counts: number[] = [];
  for (const [q, start] of found.entries()) {
    const from = Number(start.blockNumber);
    const { ms, logs } = await timed(options.rpc, {
      address: options.registry,
      fromBlock: hex(from),
      toBlock: hex(from + options.custodianBlocks - 1),
      topics: [consentGrantedTopic, null, start.topics[2]],
    });
    if (!logs.some((log) => log.topics[1] === start.topics[1])) {
      throw new Error("eth_getLogs by custodian: the batch it started from is missing");
    }
    if (q >= WARMUP) {
      byCustodian.push(ms);
      counts.push(logs.length);
    }
  }
  return {
    bySubject: { ...summary(bySubject), fromBlock: "0x0", toBlock: "latest" },
    byCustodian: {
      ...summary(byCustodian),
      blocksPerQuery: options.custodianBlocks,
      logsPerQueryMedian: percentile(counts, 0.5),
      logsPerQueryMin: Math.min(...counts),
    },
  };
}
