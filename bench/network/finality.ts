/**
 * Finality probe: transactions sent one at a time, a fixed gap apart, each timed from its
 * eth_sendRawTransaction to the first poll that sees its receipt (receipts exist only for
 * transactions in committed, final blocks).
 */
import type { JsonRpc } from "../node/jsonRpc.ts";
import { percentile, round } from "../node/stats.ts";
import type { SignedTx } from "../node/workload.ts";

/** Latency percentiles of the probe, in ms. */
export interface FinalityResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const POLL_MS = 20;

/**
 * Sends `txs` in order, one every `gapMs`, and measures each one's submit-to-receipt time
 * (all probes overlap, so a slow block does not stall the sending).
 *
 * @example
 * ```ts
 * const finality = await probeFinality(rpc, stream.take(cursor, 40), 250);
 * ```
 */
export async function probeFinality(
  rpc: JsonRpc,
  txs: readonly SignedTx[],
  gapMs: number,
): Promise<FinalityResult> {
  const waits: Promise<number>[] = [];
  for (const tx of txs) {
    const sent = performance.now();
    await rpc.call("eth_sendRawTransaction", [tx.raw]);
    waits.push(
      (async () => {
        for (;;) {
          const receipt = await rpc.call<unknown>("eth_getTransactionReceipt", [tx.hash]);
          if (receipt !== null) return performance.now() - sent;
          if (performance.now() - sent > 60_000) throw new Error(`${tx.hash}: no receipt in 60 s`);
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      })(),
    );
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const latencies = await Promise.all(waits);
  return {
    samples: latencies.length,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(Math.max(...latencies)),
  };
}
