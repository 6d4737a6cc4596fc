/**
 * What the load reads from the chain before it starts: the block gas limit and the block
 * period (median gap between the timestamps of recent blocks; a node commits a block every
 * period, empty or not), and from them how many transactions to keep in flight.
 */
import type { JsonRpc } from "../node/jsonRpc.ts";
import { median } from "../node/stats.ts";
import type { ChainFacts } from "./scaleProgress.ts";

/** Block gaps the period is the median of. */
const GAPS = 8;
const WAIT_MS = 60_000;

interface BlockFields {
  readonly gasLimit: string;
  readonly timestamp: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the facts, waiting (up to a minute) for the chain to have a few blocks after genesis.
 * `maxInFlight` = ⌈`blocksInFlight` × block gas limit / `txGasLimit`⌉: with that many sent
 * and uncommitted, a block at the gas limit can be filled from the pool right after the
 * previous one commits, before the sender has refilled it.
 *
 * @throws Error if the chain does not reach block 2 within a minute.
 * @example
 * ```ts
 * const facts = await readChainFacts(rpc, 15_000_000n, 2); // { blockGasLimit: 1e9, blockPeriodSeconds: 1, maxInFlight: 134 }
 * ```
 */
export async function readChainFacts(
  rpc: JsonRpc,
  txGasLimit: bigint,
  blocksInFlight: number,
): Promise<ChainFacts> {
  const deadline = performance.now() + WAIT_MS;
  let head = Number(await rpc.call<string>("eth_blockNumber"));
  while (head < 3) {
    if (performance.now() > deadline) throw new Error(`the chain is at block ${head} after 60 s`);
    await sleep(500);
    head = Number(await rpc.call<string>("eth_blockNumber"));
  }
  // Genesis carries no real timestamp: gaps start at block 1.
  const first = Math.max(1, head - GAPS);
  const outcomes = await rpc.batch(
    Array.from({ length: head - first + 1 }, (_, i) => ({
      method: "eth_getBlockByNumber",
      params: [`0x${(first + i).toString(16)}`, false],
    })),
  );
  const blocks = outcomes.map((outcome) => {
    if ("error" in outcome) throw new Error(`eth_getBlockByNumber: ${outcome.error.message}`);
    return outcome.result as BlockFields;
  });
  const gaps = blocks.slice(1).map((b, i) => Number(b.timestamp) - Number(blocks[i]?.timestamp));
  const blockGasLimit = Number((blocks.at(-1) as BlockFields).gasLimit);
  return {
    blockGasLimit,
    blockPeriodSeconds: median(gaps),
    maxInFlight: Math.ceil((blocksInFlight * blockGasLimit) / Number(txGasLimit)),
  };
}
