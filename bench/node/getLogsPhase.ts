/**
 * eth_getLogs latency on the Custos node over the ConsentGranted events the run produced:
 * by subject pseudonym (indexed topic 1) over the whole chain, which finds one event among
 * all, and by custodian (indexed topic 2) over a bounded block range, which finds ~1,000.
 * Queries are sequential over HTTP, timed at the client.
 */
import { bytesToHex } from "@ethereumjs/util";
import { seededRandomBytes } from "../../test/nodes/stateFixtures.ts";
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
  /** Blocks holding those grants, and how many hospitals recorded them. */
  readonly firstBlock: number;
  readonly lastBlock: number;
  readonly hospitals: number;
  readonly queries: number;
  /** Logs a custodian query should return on average. */
  readonly custodianLogsTarget: number;
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
  };
}

const WARMUP = 5;

/** Uniform numbers in [0, 1) from a seeded byte stream, so every run asks the same questions. */
function seededRandom(seed: string): () => number {
  const bytes = seededRandomBytes(seed);
  return () => new DataView(bytes(4).buffer).getUint32(0) / 2 ** 32;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** A uint32 as an indexed topic. */
function uintTopic(n: number): string {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

async function timed(
  rpc: JsonRpc,
  filter: object,
): Promise<{ ms: number; logs: readonly unknown[] }> {
  const t0 = performance.now();
  const logs = await rpc.call<unknown[]>("eth_getLogs", [filter]);
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
 * Runs `queries` subject queries (each must return exactly one log) and `queries` custodian
 * queries (hospital 1's organisation, a window sized for ~`custodianLogsTarget` logs at a
 * random position), after a few untimed warm-up queries of each.
 *
 * @throws Error if a subject query does not return exactly one log.
 * @example
 * ```ts
 * const logs = await runGetLogsPhase({ rpc, registry, subjectSeries, subjects, ... });
 * ```
 */
export async function runGetLogsPhase(options: GetLogsPhaseOptions): Promise<GetLogsPhaseResult> {
  const random = seededRandom("bench-node-getLogs");
  const bySubject: number[] = [];
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
    if (logs.length !== 1) throw new Error(`eth_getLogs by subject: ${logs.length} logs, not 1`);
    if (q >= WARMUP) bySubject.push(ms);
  }
  const span = options.lastBlock - options.firstBlock + 1;
  const perCustodianPerBlock = options.subjects / span / options.hospitals;
  const window = Math.max(
    1,
    Math.min(span, Math.round(options.custodianLogsTarget / perCustodianPerBlock)),
  );
  // Organisation ids are 1.. in genesis order: hospital 1 is organisation 1.
  const custodian = uintTopic(1);
  const byCustodian: number[] = [];
  const counts: number[] = [];
  for (let q = 0; q < WARMUP + options.queries; q++) {
    const from = options.firstBlock + Math.floor(random() * (span - window + 1));
    const { ms, logs } = await timed(options.rpc, {
      address: options.registry,
      fromBlock: hex(from),
      toBlock: hex(from + window - 1),
      topics: [consentGrantedTopic, null, custodian],
    });
    if (q >= WARMUP) {
      byCustodian.push(ms);
      counts.push(logs.length);
    }
  }
  return {
    bySubject: { ...summary(bySubject), fromBlock: "0x0", toBlock: "latest" },
    byCustodian: {
      ...summary(byCustodian),
      blocksPerQuery: window,
      logsPerQueryMedian: percentile(counts, 0.5),
    },
  };
}
